/** SQLite's CURRENT_TIMESTAMP is "YYYY-MM-DD HH:MM:SS" in UTC; the API speaks ISO-8601. */
export function isoFromSqlite(text: string): string {
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return `${text.replace(" ", "T")}Z`;
  return text;
}

export function nowIso(): string {
  return new Date().toISOString();
}
