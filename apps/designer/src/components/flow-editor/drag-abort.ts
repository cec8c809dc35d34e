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
 */

/** How an unfinished drag ends: Escape cancels it; anything else drops the nodes where they are drawn. */
export type DragAbort = "cancel" | "drop";

/**
 * Watches `win` for the ends of a drag that React Flow does not see, from the drag's start to its stop.
 * On the first one it stops watching, calls `onAbort` (before the drop arrives, so a cancel can be told
 * apart) and ends React Flow's gesture with a mouseup where the pointer was last seen. Answers the
 * function that stops watching (call it when the drag stops in the usual way).
 */
export function watchDragAbort(win: Window, onAbort: (how: DragAbort) => void): () => void {
  let at = { clientX: 0, clientY: 0 };
  const end = (how: DragAbort) => {
    stop();
    onAbort(how);
    // d3-drag listens for the gesture's mouseup on the window itself: dispatched there it reaches only
    // the window's listeners, not the page's elements (nothing is clicked).
    win.dispatchEvent(new MouseEvent("mouseup", { ...at, view: win }));
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
    win.removeEventListener("blur", onBlur);
  };
  win.addEventListener("keydown", onKey, true);
  win.addEventListener("pointermove", onMove, true);
  win.addEventListener("pointercancel", onCancel, true);
  win.addEventListener("blur", onBlur);
  return stop;
}
