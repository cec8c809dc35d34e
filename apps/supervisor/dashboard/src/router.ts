import { useEffect, useState } from "preact/hooks";

export const VIEWS = [
  { id: "overview", label: "Overview" },
  { id: "points", label: "Points" },
  { id: "operate", label: "Operate" },
  { id: "history", label: "History" },
  { id: "execution", label: "Execution" },
  { id: "devices", label: "Devices" },
  { id: "commissioning", label: "Commissioning" },
  { id: "audit", label: "Audit" },
  { id: "access", label: "Access" },
] as const;

export type ViewId = (typeof VIEWS)[number]["id"];

/** Hash routes (#/points): the supervisor serves one index.html and needs no fallback routes. */
function current(): ViewId {
  const id = location.hash.replace(/^#\/?/, "").split("?")[0];
  return VIEWS.find((v) => v.id === id)?.id ?? "overview";
}

export function useView(): ViewId {
  const [view, setView] = useState<ViewId>(current());
  useEffect(() => {
    const onChange = () => setView(current());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return view;
}

export function go(view: ViewId): void {
  location.hash = `#/${view}`;
}
