/** Who the history says made a change: set on the settings page, kept in this browser. */
export const AUTHOR_STORAGE_KEY = "bms-designer-author";

export function authorName(): string {
  try {
    return localStorage.getItem(AUTHOR_STORAGE_KEY)?.trim() || "designer";
  } catch {
    return "designer";
  }
}
