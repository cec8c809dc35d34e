import type { PointScalar } from "../protocols/point-io";
import type { LeftoverCommand } from "./test-commands";

/**
 * The shapes of a commissioning run and its report (issue 16): each check answers lines with a verdict,
 * and the report is those sections plus who ran it, where and when. Stored as JSON beside its HTML and
 * PDF renderings (see report-store.ts), so what was printed is what the API answers.
 */

export type Verdict = "pass" | "fail" | "skipped";

export interface CheckoutWriteTest {
  priority: number;
  test_value: PointScalar;
  /** What the priority array (or, without one, the point) held at that priority right after the write. */
  after_write: PointScalar | null;
  /** The same slot after the relinquish (or the point after restoring, without a priority array). */
  after_release: PointScalar | null;
  /** How it was released: NULL at the priority, or the previous value written back (no priority array). */
  release: "relinquish" | "restore";
  /** The point's value after the release (what now wins). */
  value_after: PointScalar | PointScalar[] | null;
  /** Forced over a flow's command by an admin: the flow rewrites its command at its next scan. */
  forced_over_flow?: string;
}

export interface CheckoutLine {
  point: string;
  device: string;
  /** A flow of the site writes it. */
  commanded: boolean;
  value: PointScalar | PointScalar[] | null;
  units?: string;
  quality: string;
  reason?: string;
  response_ms: number;
  write_test?: CheckoutWriteTest;
  verdict: Verdict;
  /** Why the verdict, for people (a failure's cause, why a write test was skipped). */
  detail: string;
}

export interface AlarmLine {
  flow_id: string;
  flow_name: string;
  node_id: string;
  label: string;
  priority: string;
  mode: string;
  raised: boolean;
  raised_ms: number | null;
  /** How the alarm was notified: a webhook (and whether it was delivered) or the event log only. */
  notified: string;
  notified_ok: boolean;
  cleared: boolean;
  cleared_ms: number | null;
  verdict: Verdict;
  detail: string;
}

export interface Stats {
  count: number;
  min_ms: number | null;
  avg_ms: number | null;
  max_ms: number | null;
}

export interface BaselineFlowLine {
  flow_id: string;
  flow_name: string;
  interval_ms: number | null;
  scans: number;
  scan: Stats;
  verdict: Verdict;
  detail: string;
}

export interface BaselineDeviceLine {
  device: string;
  points: number;
  poll: Stats;
  bad_reads: number;
  verdict: Verdict;
  detail: string;
}

export interface Baseline {
  window_s: number;
  started_at: string;
  ended_at: string;
  flows: BaselineFlowLine[];
  devices: BaselineDeviceLine[];
  /** Counter deltas over the window: requests, timeouts, errors, retries per protocol, and logged errors. */
  request_errors: {
    protocol: string;
    requests: number | null;
    errors: number;
    timeouts: number | null;
    retries: number | null;
  }[];
  logged_errors: number;
}

export interface DeviceCheckLine {
  device: string;
  name: string | null;
  address: string | null;
  samples: number;
  response: Stats;
  timeouts: number;
  errors: number;
  /** Retries the protocol stack sent while this device was probed (devices are probed one at a time). */
  retries: number | null;
  segmentation: string | null;
  max_apdu: number | null;
  verdict: Verdict;
  detail: string;
}

/** cancelled: a person stopped the run; the report holds the lines done before it stopped. */
export type RunStatus = "running" | "done" | "failed" | "cancelled";

export interface CommissioningReport {
  id: string;
  status: RunStatus;
  /** What went wrong when the run itself failed (a check's own failures are lines, not this). */
  error?: string;
  /**
   * A run cut by a crash: the write test's command it left on a device, and what the next start did with
   * it (relinquished, refused and retried, or left to a running flow that commands the slot).
   */
  leftover_commands?: LeftoverCommand[];
  site: string;
  project_version: string | null;
  config_version: number | null;
  person: string;
  /** The authenticated identity that started the run (the person may be named by the Designer). */
  started_by: string;
  notes: string;
  /** Who cancelled the run, when it was cancelled. */
  cancelled_by?: string;
  started_at: string;
  finished_at: string | null;
  supervisor_version: string;
  checkout?: CheckoutLine[];
  alarms?: AlarmLine[];
  baseline?: Baseline;
  devices?: DeviceCheckLine[];
  summary: { pass: number; fail: number; skipped: number };
  /**
   * SHA-256 (hex) of the bytes the signature covers (report-signature.ts). Reports made before
   * signatures hold SHA-256 of their content's plain JSON here, and no signature.
   */
  digest: string | null;
  /** The supervisor's Ed25519 signature, made when the run ended; absent on reports made before. */
  signature?: ReportSignature | null;
}

/** What a report carries to prove which supervisor made it and that it is unchanged since. */
export interface ReportSignature {
  algorithm: "Ed25519";
  /** How the signed bytes are made from the report (report-signature.ts, SIGNED_FORMAT). */
  format: string;
  /** The signing key's 32 raw bytes, base64: anyone can check the signature without asking us. */
  public_key: string;
  /** SHA-256 of those bytes as `AB:CD:…`: what a customer compares with the supervisor's. */
  fingerprint: string;
  /** The 64-byte signature, base64. */
  value: string;
}

export function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) return { count: 0, min_ms: null, avg_ms: null, max_ms: null };
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    count: samples.length,
    min_ms: round(Math.min(...samples)),
    avg_ms: round(samples.reduce((a, b) => a + b, 0) / samples.length),
    max_ms: round(Math.max(...samples)),
  };
}
