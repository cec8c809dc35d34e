import type { EditorStore } from "../../store/editor-store";

/**
 * Every keyboard and mouse shortcut of the flow editor, in one table. The key handler
 * (use-editor-shortcuts.ts), the canvas (delete and multi-select keys), the context menu's hints and
 * the "?" sheet all read it, so what the sheet lists is what the editor does.
 */

/** One key combination. `mod` is Ctrl, or ⌘ on a Mac. `shift` undefined: either way (as "?" needs it). */
export interface Chord {
  key: string;
  mod: boolean;
  shift?: boolean;
}

/** What a shortcut may reach beyond the store: the editor shell's own actions. */
export interface ShortcutContext {
  save(): void;
  toggleShortcutSheet(): void;
}

interface Common {
  id: string;
  /** What it does, as the sheet prints it. */
  label: string;
  group: "File" | "Edit" | "Selection" | "View";
}

/** Handled by the editor's keydown listener. */
export interface KeyShortcut extends Common {
  kind: "key";
  chords: readonly Chord[];
  /** Also while typing in a form field (Save: Ctrl+S must never type an "s"). */
  inFields?: boolean;
  run(store: EditorStore, context: ShortcutContext): void;
}

/**
 * Handled elsewhere but declared here: the browser's copy/paste events (no clipboard prompt), the
 * canvas (delete, add to selection) and overlays (Esc). `chords` is what those places match on.
 */
export interface DeclaredShortcut extends Common {
  kind: "clipboard" | "canvas" | "overlay";
  chords: readonly Chord[];
  /** How it is shown when it is not a plain key combination (a click with a key held). */
  display?: string;
}

export type Shortcut = KeyShortcut | DeclaredShortcut;

/** Copy and paste in one step, beside the originals: what Ctrl+D and the context menu's Duplicate do. */
export function duplicateSelection(store: EditorStore): number {
  const copy = store.copySelection();
  return copy ? store.paste(copy) : 0;
}

export const SHORTCUTS: readonly Shortcut[] = [
  {
    id: "save",
    kind: "key",
    group: "File",
    label: "Save as a new version",
    chords: [{ key: "s", mod: true }],
    inFields: true,
    run: (_s, c) => c.save(),
  },
  {
    id: "undo",
    kind: "key",
    group: "Edit",
    label: "Undo",
    chords: [{ key: "z", mod: true, shift: false }],
    run: (s) => s.undo(),
  },
  {
    id: "redo",
    kind: "key",
    group: "Edit",
    label: "Redo",
    chords: [
      { key: "z", mod: true, shift: true },
      { key: "y", mod: true },
    ],
    run: (s) => s.redo(),
  },
  {
    id: "copy",
    kind: "clipboard",
    group: "Edit",
    label: "Copy the selected nodes (also into another project's tab)",
    chords: [{ key: "c", mod: true }],
  },
  {
    id: "paste",
    kind: "clipboard",
    group: "Edit",
    label: "Paste nodes",
    chords: [{ key: "v", mod: true }],
  },
  {
    id: "duplicate",
    kind: "key",
    group: "Edit",
    label: "Duplicate the selection (with the wires between its nodes)",
    chords: [{ key: "d", mod: true, shift: false }],
    run: (s) => void duplicateSelection(s),
  },
  {
    id: "delete",
    kind: "canvas",
    group: "Edit",
    label: "Delete the selection",
    chords: [
      { key: "Delete", mod: false },
      { key: "Backspace", mod: false },
    ],
  },
  {
    id: "select-all",
    kind: "key",
    group: "Selection",
    label: "Select every node",
    chords: [{ key: "a", mod: true }],
    run: (s) => s.selectAll(),
  },
  {
    id: "add-to-selection",
    kind: "canvas",
    group: "Selection",
    label: "Add a node to the selection",
    chords: [
      { key: "Shift", mod: false },
      { key: "Control", mod: false },
      { key: "Meta", mod: false },
    ],
    display: "Shift / Ctrl / ⌘ + click",
  },
  {
    id: "ungroup",
    kind: "key",
    group: "Selection",
    label: "Ungroup the selected groups",
    chords: [{ key: "g", mod: true, shift: true }],
    run: (s) => void s.ungroupSelection(),
  },
  {
    id: "group",
    kind: "key",
    group: "Selection",
    label: "Frame the selection in a group",
    chords: [{ key: "g", mod: true, shift: false }],
    run: (s) => void s.groupSelection(),
  },
  {
    id: "shortcuts",
    kind: "key",
    group: "View",
    label: "Show or hide this list of shortcuts",
    chords: [{ key: "?", mod: false }],
    run: (_s, c) => c.toggleShortcutSheet(),
  },
  {
    id: "close",
    kind: "overlay",
    group: "View",
    label: "Close this list or a menu",
    chords: [{ key: "Escape", mod: false }],
  },
];

export function matches(
  chord: Chord,
  event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "shiftKey">,
) {
  const mod = event.ctrlKey || event.metaKey;
  if (mod !== chord.mod) return false;
  if (chord.shift !== undefined && chord.shift !== event.shiftKey) return false;
  return chord.key.length === 1 ? event.key.toLowerCase() === chord.key : event.key === chord.key;
}

export function shortcut(id: string): Shortcut {
  const found = SHORTCUTS.find((s) => s.id === id);
  if (!found) throw new Error(`no shortcut "${id}"`);
  return found;
}

/** Does this key event trigger the shortcut with this id? */
export function isShortcut(id: string, event: KeyboardEvent): boolean {
  return shortcut(id).chords.some((c) => matches(c, event));
}

/** The key names, for the places that take keys rather than events (React Flow's props). */
export function shortcutKeys(id: string): string[] {
  return shortcut(id).chords.map((c) => c.key);
}

/** The first key event shortcut this event triggers (the table's order decides). */
export function keyShortcutFor(event: KeyboardEvent): KeyShortcut | undefined {
  return SHORTCUTS.find((s): s is KeyShortcut => s.kind === "key" && s.chords.some((c) => matches(c, event)));
}

function chordText(chord: Chord): string {
  const key = chord.key.length === 1 ? chord.key.toUpperCase() : chord.key === "Escape" ? "Esc" : chord.key;
  return [chord.mod ? "Ctrl" : "", chord.shift ? "Shift" : "", key].filter(Boolean).join("+");
}

/** How a shortcut is written for people: "Ctrl+Shift+Z or Ctrl+Y" (⌘ works wherever Ctrl does). */
export function shortcutText(id: string): string {
  const s = shortcut(id);
  if (s.kind !== "key" && s.display) return s.display;
  return s.chords.map(chordText).join(" or ");
}
