import {
  Activity,
  Ampersand,
  ArrowDownToLine,
  ArrowUpToLine,
  BellRing,
  Box,
  Boxes,
  Calculator,
  CalendarClock,
  CircleGauge,
  CircleSlash,
  Clock,
  Code,
  FoldVertical,
  Gauge,
  GitBranch,
  GitCompare,
  GitMerge,
  Hash,
  HeartPulse,
  ListChecks,
  ListOrdered,
  Lock,
  LogIn,
  LogOut,
  type LucideIcon,
  type LucideProps,
  NotebookPen,
  Power,
  Radar,
  Repeat,
  Sigma,
  SlidersHorizontal,
  Split,
  Thermometer,
  Timer,
  TrendingUp,
  Undo2,
  Waves,
} from "lucide-react";

/**
 * The icons the node library names (in lucide's kebab case), imported one by one: lucide's `icons`
 * object holds all ~1,600 of them, 454 KB of the editor's script that every page load parsed and ran
 * (measured 2026-12-02). node-icon.test.ts checks every node type's icon is here; a name that is not
 * falls back to a box.
 */
export const NODE_ICONS: Readonly<Record<string, LucideIcon>> = {
  activity: Activity,
  ampersand: Ampersand,
  "arrow-down-to-line": ArrowDownToLine,
  "arrow-up-to-line": ArrowUpToLine,
  "bell-ring": BellRing,
  box: Box,
  boxes: Boxes,
  calculator: Calculator,
  "calendar-clock": CalendarClock,
  // lucide renamed gauge-circle to circle-gauge; the old name is only an alias export.
  "gauge-circle": CircleGauge,
  "circle-slash": CircleSlash,
  clock: Clock,
  code: Code,
  "fold-vertical": FoldVertical,
  gauge: Gauge,
  "git-branch": GitBranch,
  "git-compare": GitCompare,
  "git-merge": GitMerge,
  hash: Hash,
  "heart-pulse": HeartPulse,
  "list-checks": ListChecks,
  "list-ordered": ListOrdered,
  lock: Lock,
  "log-in": LogIn,
  "log-out": LogOut,
  "notebook-pen": NotebookPen,
  power: Power,
  radar: Radar,
  repeat: Repeat,
  sigma: Sigma,
  "sliders-horizontal": SlidersHorizontal,
  split: Split,
  thermometer: Thermometer,
  timer: Timer,
  "trending-up": TrendingUp,
  "undo-2": Undo2,
  waves: Waves,
};

/** A node library icon by its lucide kebab-case name; an unknown name draws a box. */
export function NodeIcon({ name, ...props }: { name: string } & LucideProps) {
  const Icon = NODE_ICONS[name] ?? Box;
  return <Icon {...props} />;
}
