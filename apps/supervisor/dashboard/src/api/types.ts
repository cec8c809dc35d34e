/**
 * The shapes the dashboard reads. They come from the shared schemas and the supervisor's own storage
 * types wherever those exist, so a change on the server breaks this build instead of the page.
 */
import type {
  DeploymentPackage,
  Device,
  DeviceDiscoveryResponse,
  ExecutionStateResponse,
  FlowStatusResponse,
  NodeExecutionStatus,
  PointValue,
  PriorityArrayResponse,
  SitePackage,
  Trigger,
} from "@bms/schemas";
import type { WireColumns } from "../../../src/routes/data/series-columns";
import type { AlertRecord } from "../../../src/storage/alerts-repo";
import type { BackfillRange } from "../../../src/storage/backfills-repo";
import type { StoredConfig } from "../../../src/storage/configs-repo";
import type { EventRecord } from "../../../src/storage/events-repo";

export type {
  AlertRecord,
  DeploymentPackage,
  Device,
  DeviceDiscoveryResponse,
  EventRecord,
  ExecutionStateResponse,
  NodeExecutionStatus,
  PointValue,
  PriorityArrayResponse,
  WireColumns,
};

/** Public liveness; the summary fields come only with read access. */
export interface HealthResponse {
  status: "ok" | "degraded";
  version: string;
  uptime_s?: number;
  database?: "ok" | "error";
  flow?: "running" | "stopped" | "error";
  config_version?: number | null;
  devices?: { total: number; online: number; offline: number };
}

/** GET /api/monitoring/metrics (routes/monitoring collectMetrics). */
export interface MetricsResponse {
  uptime_s: number;
  memory: { rss_bytes: number; heap_used_bytes: number };
  cpu: { user_us: number; system_us: number; load_avg_1m: number };
  disk: { free_bytes: number; total_bytes: number } | null;
  engine: { status: string; scans: number; avg_scan_ms: number; errors_15m: number };
  bacnet: {
    devices_total: number;
    devices_online: number;
    devices_offline: number;
    requests: number;
    timeouts: number;
    errors: number;
    retries: number;
    packets_received: number;
    packets_sent: number;
    packets_dropped: number;
  };
  history: { pending_samples: number; stored_bytes: number; rejected_samples: number };
  /** The whole machine: every process, every core. */
  system: {
    platform: string;
    arch: string;
    uptime_s: number;
    cpu: {
      count: number;
      load_avg_1m: number;
      load_avg_5m: number;
      load_avg_15m: number;
      /** Summed over the cores since boot; the busy share is taken between two polls. */
      idle_ms: number;
      total_ms: number;
    };
    memory: { total_bytes: number; free_bytes: number; used_bytes: number };
  };
}

export interface PortInfo {
  name: string;
  type: string;
  label?: string;
}

export interface NodeTypeInfo {
  label: string;
  icon: string;
  category: string;
  inputs: PortInfo[];
  outputs: PortInfo[];
}

export interface FlowPointUse {
  ref: string;
  role: "read" | "write";
  node_id: string;
  flow_id: string;
}

/** Ports a node draws with its config and wires: `inputs`/`outputs` by name. */
export type NodePorts = Record<string, { inputs: string[]; outputs: string[] }>;

export type CurrentConfigResponse = StoredConfig & {
  running: boolean;
  /** A site of flows, or (stored before sites) one flow. */
  package: DeploymentPackage | SitePackage;
  node_types: Record<string, NodeTypeInfo>;
  /** The ports each node has with its config and wires (absent from older supervisors). */
  node_ports?: NodePorts;
  /** The same per flow, as node ids repeat across flows (absent from older supervisors). */
  flow_ports?: Record<string, NodePorts>;
  points: FlowPointUse[];
};

export type ExecutionStatusResponse = FlowStatusResponse & {
  /** Every flow of the site; `trigger` and `avg_scan_ms` are the first flow's. */
  flows?: FlowStatusResponse[];
  trigger: Trigger | null;
  avg_scan_ms: number;
  started_at: string | null;
};

export interface LatestResponse {
  values: {
    point: string;
    value: number | boolean | string | null;
    quality: PointValue["quality"];
    timestamp: string;
  }[];
}

/** GET /api/data/timeseries?format=columns: what the history charts read (series-columns.ts). */
export interface TimeseriesColumnsResponse {
  from: number;
  to: number;
  bucket_ms: number;
  series: { point: string; columns: WireColumns; backfilled: BackfillRange[] }[];
}

export interface DeviceObject {
  device_id: number;
  object_type: string;
  object_instance: number;
  object_name: string;
  description?: string;
  units?: string;
  state_text?: string[];
  active_text?: string;
  inactive_text?: string;
}

/** GET /api/points/overrides: a timed manual override. */
export interface OverrideRecord {
  id: number;
  point: string;
  priority: number;
  value: number | boolean;
  before: { value: unknown; source: string } | null;
  started_at: string;
  expires_at: string;
  created_by: string;
  ended_at: string | null;
  ended_by: string | null;
  end_reason: string | null;
}

/** GET /api/debug/pins: the debugger's pinned values, paused flows and dry runs across the site. */
export interface DebugOverview {
  pins: {
    id: string;
    flow_id: string;
    label: string;
    value: number | boolean | string | null;
    quality: string;
    set_by: string;
    expires_at: string;
  }[];
  paused: { flow_id: string; name: string; node_id: string; auto_resume_at: string }[];
  dry_run: { flow_id: string; name: string }[];
}

/** GET /api/execution/parameters: a parameter node's value and declared limits. */
export interface ParameterRecord {
  name: string;
  node_id: string;
  /** Parameters are per flow: two flows may publish the same name. */
  flow_id: string;
  label: string;
  default: number | boolean | string;
  min: number | null;
  max: number | null;
  unit: string;
  value: number | boolean | string;
}

/** GET /api/execution/latches. */
export interface LatchRecord {
  /** A latch inside a sub-flow node is named by its path, `<sub-flow node>/<latch>`. */
  node_id: string;
  flow_id: string;
  label: string;
  q: boolean | null;
}

/** GET /api/flows: one flow of the active site. */
export interface FlowSummary {
  flow_id: string;
  name: string;
  status: string;
  scan_count: number;
  last_scan_at: string | null;
  last_error: string | null;
  trigger: Trigger | null;
  nodes: number;
  avg_scan_ms: number;
  overruns: number;
}

export interface FlowsResponse {
  project: { id: string; name: string; version: string } | null;
  config_version: number | null;
  flows: FlowSummary[];
}
