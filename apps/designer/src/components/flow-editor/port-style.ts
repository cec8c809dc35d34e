import type { PortType } from "../../lib/node-catalog";

/** One colour per port type, so a mismatch is visible before the drop is refused. */
export const PORT_COLORS: Record<PortType, string> = {
  number: "#0284c7",
  boolean: "#d97706",
  string: "#7c3aed",
  list: "#059669",
  any: "#64748b",
};

export const STATUS_STYLES: Record<string, { ring: string; label: string }> = {
  completed: { ring: "ring-emerald-500", label: "bg-emerald-100 text-emerald-800" },
  error: { ring: "ring-red-500", label: "bg-red-100 text-red-800" },
  skipped: { ring: "ring-slate-400", label: "bg-slate-200 text-slate-700" },
  executing: { ring: "ring-sky-500", label: "bg-sky-100 text-sky-800" },
  idle: { ring: "ring-slate-300", label: "bg-slate-100 text-slate-600" },
  // Not a runtime status: a node that ran on an input that is not good (see node-health in schemas).
  warning: { ring: "ring-amber-500", label: "bg-amber-100 text-amber-800" },
  stopped: { ring: "ring-slate-300", label: "bg-slate-200 text-slate-500" },
};

export const DIFF_STYLES: Record<string, string> = {
  added: "ring-4 ring-emerald-400",
  removed: "ring-4 ring-red-400 opacity-60",
  changed: "ring-4 ring-amber-400",
  moved: "ring-2 ring-sky-300",
};

/** A live value's badge: dark when good, amber when uncertain, red when bad. */
export const QUALITY_BADGE: Record<string, string> = {
  good: "bg-slate-900 text-white",
  uncertain: "bg-amber-500 text-white",
  bad: "bg-red-600 text-white",
};
