import { describe, expect, it } from "vitest";
import { isShortcut, keyShortcutFor, SHORTCUTS, shortcutKeys, shortcutText } from "./editor-shortcuts";

function key(k: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean } = {}): KeyboardEvent {
  return {
    key: k,
    ctrlKey: mods.ctrl ?? false,
    metaKey: mods.meta ?? false,
    shiftKey: mods.shift ?? false,
  } as KeyboardEvent;
}

describe("the shortcut table", () => {
  it("has one entry per id, and no key combination that two key shortcuts both claim", () => {
    expect(new Set(SHORTCUTS.map((s) => s.id)).size).toBe(SHORTCUTS.length);
    const seen = new Map<string, string>();
    for (const s of SHORTCUTS) {
      if (s.kind !== "key") continue;
      for (const c of s.chords) {
        const id = `${c.mod}|${c.shift ?? "any"}|${c.key}`;
        expect(seen.get(id), `${s.id} and ${seen.get(id)} share ${id}`).toBeUndefined();
        seen.set(id, s.id);
      }
    }
  });

  it.each([
    [key("z", { ctrl: true }), "undo"],
    [key("Z", { ctrl: true, shift: true }), "redo"],
    [key("y", { meta: true }), "redo"],
    [key("d", { ctrl: true }), "duplicate"],
    [key("g", { ctrl: true }), "group"],
    [key("G", { ctrl: true, shift: true }), "ungroup"],
    [key("a", { meta: true }), "select-all"],
    [key("s", { ctrl: true }), "save"],
    [key("?", { shift: true }), "shortcuts"],
  ])("dispatches %o to %s", (event, id) => {
    expect(keyShortcutFor(event)?.id).toBe(id);
  });

  it.each([key("d"), key("z"), key("x", { ctrl: true }), key("Escape")])("leaves %o alone", (event) => {
    expect(keyShortcutFor(event)).toBeUndefined();
  });

  it("feeds the canvas, overlays and the sheet from the same entries", () => {
    expect(shortcutKeys("delete")).toEqual(["Delete", "Backspace"]);
    expect(isShortcut("close", key("Escape"))).toBe(true);
    expect(shortcutText("redo")).toBe("Ctrl+Shift+Z or Ctrl+Y");
    expect(shortcutText("duplicate")).toBe("Ctrl+D");
    expect(shortcutText("shortcuts")).toBe("?");
    expect(shortcutText("add-to-selection")).toBe("Shift / Ctrl / ⌘ + click");
  });
});
