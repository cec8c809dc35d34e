/*
 * React Flow's node drag (d3-drag on mouse events) ends only on a mouseup at the window. Some drags never
 * get one: the window lost focus mid-drag (another window came to the front, a system dialog), the browser
 * cancelled the pointer (it began a native drag-and-drop or a touch gesture), or the button was released
 * where the page did not see it. The drag then stayed live: the node followed the pointer with no button
 * down, and a large flow's canvas kept the other nodes and the wires out of the hit test (its
 * data-dragging), so nothing else could be clicked until some later click ended it. Escape, too, did
 * nothing mid-drag. This watches for those ends while a drag is live and finishes React Flow's gesture
 * itself, with the mouseup it waits for: the drop then goes where every drop goes (one document change,
 * one undo step, one autosave), or, for Escape, the caller turns it into a cancel.
 *
 * A finger's drag is a touch gesture to d3-drag, which ends only on that touch's touchend or touchcancel
 * at the element the finger went down on (a mouseup at the window does nothing to it). A window blur
 * mid-touch, or a pointercancel the touch events never followed, left it live the same way; for a touch
 * the gesture is finished with a touchcancel for that finger, where it was last seen.
 */

/** The finger of a touch drag, as d3-drag knows it: its identifier, where it went down, where it is. */
interface TrackedTouch {
  identifier: number;
  target: EventTarget;
  clientX: number;
  clientY: number;
}

/** The first changed touch of a touch event (the finger a one-finger drag follows). */
function touchOf(event: Event): TrackedTouch | null {
  const touches = (event as Partial<TouchEvent>).changedTouches;
  const touch = touches && touches.length > 0 ? touches[0] : undefined;
  if (!touch) return null;
  const { identifier, target, clientX, clientY } = touch;
  return { identifier, target, clientX, clientY };
}

/** How an unfinished drag ends: Escape cancels it; anything else drops the nodes where they are drawn. */
export type DragAbort = "cancel" | "drop";

/**
 * Watches `win` for the ends of a drag that React Flow does not see, from the drag's start to its stop.
 * On the first one it stops watching, calls `onAbort` (before the drop arrives, so a cancel can be told
 * apart) and ends React Flow's gesture with a mouseup where the pointer was last seen, or for a touch
 * drag a touchcancel of its finger. `start` is the event the drag started on (React Flow hands it to
 * onNodeDragStart): a touch event there names the finger at once. Answers the function that stops
 * watching (call it when the drag stops in the usual way).
 */
export function watchDragAbort(win: Window, onAbort: (how: DragAbort) => void, start?: Event): () => void {
  let at = { clientX: 0, clientY: 0 };
  let touch = start?.type.startsWith("touch") ? touchOf(start) : null;
  const end = (how: DragAbort) => {
    stop();
    onAbort(how);
    // d3-drag listens for the gesture's mouseup on the window itself: dispatched there it reaches only
    // the window's listeners, not the page's elements (nothing is clicked).
    win.dispatchEvent(new MouseEvent("mouseup", { ...at, view: win }));
    if (touch) cancelTouch(win, touch);
  };
  const onTouchMove = (event: TouchEvent) => {
    const seen = touchOf(event);
    if (seen && (touch === null || seen.identifier === touch.identifier)) touch = seen;
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === "Escape") end("cancel");
  };
  const onMove = (event: PointerEvent) => {
    // A pointer in contact (a pressed mouse, a finger, a pen on the screen) has a button down; none
    // means the release happened unseen.
    if (event.buttons === 0) end("drop");
    else at = { clientX: event.clientX, clientY: event.clientY };
  };
  const onBlur = () => end("drop");
  const onCancel = () => end("drop");
  const stop = () => {
    win.removeEventListener("keydown", onKey, true);
    win.removeEventListener("pointermove", onMove, true);
    win.removeEventListener("pointercancel", onCancel, true);
    win.removeEventListener("touchmove", onTouchMove, true);
    win.removeEventListener("blur", onBlur);
  };
  win.addEventListener("keydown", onKey, true);
  win.addEventListener("pointermove", onMove, true);
  win.addEventListener("pointercancel", onCancel, true);
  win.addEventListener("touchmove", onTouchMove, { capture: true, passive: true });
  win.addEventListener("blur", onBlur);
  return stop;
}

/**
 * Ends d3-drag's touch gesture for `touch`: a touchcancel of that finger at the element it went down
 * on, where d3-drag listens (it bubbles there from a child). The touch ends where it was last seen, so
 * the nodes drop where they are drawn. The real finger's later moves and lift find no gesture.
 */
function cancelTouch(win: Window, touch: TrackedTouch): void {
  const { Touch: TouchClass, TouchEvent: TouchEventClass } = win as unknown as {
    Touch?: typeof Touch;
    TouchEvent?: typeof TouchEvent;
  };
  if (!TouchClass || !TouchEventClass) return;
  const ended = new TouchClass({
    identifier: touch.identifier,
    target: touch.target,
    clientX: touch.clientX,
    clientY: touch.clientY,
  });
  touch.target.dispatchEvent(
    new TouchEventClass("touchcancel", {
      bubbles: true,
      cancelable: false,
      changedTouches: [ended],
      touches: [],
      targetTouches: [],
      view: win,
    }),
  );
}
