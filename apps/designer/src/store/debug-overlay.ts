/**
 * What the live debugger and the test runner draw on the canvas (issue 16): breakpoint markers, the
 * node a scan is paused before, pinned values, and pass/fail of test expectations per node. Runtime
 * overlay only: none of it is part of the document or of undo.
 */
export interface PinMark {
  id: string;
  /** A pin on a node input names the port; a pin on a point read names the point. */
  port?: string;
  point?: string;
  text: string;
  expiresAt: string;
}

export interface DebugOverlay {
  breakpoints: string[];
  pausedNode: string | null;
  /** Pins by the node they act on (a point pin shows on every node that reads the point). */
  pins: Record<string, PinMark[]>;
}

export type TestMark = { passed: number; failed: number };
