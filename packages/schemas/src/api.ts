import { z } from "zod";
import { DateTimeSchema, QualitySchema } from "./common";
import { BacnetDeviceInstanceSchema, BacnetObjectInstanceSchema, PointRefSchema } from "./point-ref";

/** A value as the supervisor knows it: with quality, the reason when not good, and when it was read. */
const ScalarValueSchema = z.union([z.number(), z.boolean(), z.string(), z.null()]);

export const PointValueSchema = z.object({
  point: z.string(),
  /** A scalar, or every element of a whole-array read (`…priorityArray`: 16 slots, null = empty). */
  value: z.union([ScalarValueSchema, z.array(ScalarValueSchema)]),
  quality: QualitySchema,
  reason: z.string().optional(),
  /** Why it is not good, for programs: a PointErrorCode (`timeout`, `no_plugin`, `decode_error` ...). */
  code: z.string().optional(),
  /** The object's BACnet engineering-unit name (`degreesCelsius`); `@bms/bacnet/display` has the symbol. */
  units: z.string().optional(),
  /** The state text of a binary or multi-state value (`Auto`, `Occupied`), from the device. */
  text: z.string().optional(),
  timestamp: DateTimeSchema,
});
export type PointValue = z.infer<typeof PointValueSchema>;

/** Who holds one priority slot: a node of one of this supervisor's flows. */
export const PriorityHolderSchema = z.object({
  flow_id: z.string().nullable(),
  flow_name: z.string().nullable(),
  node_id: z.string().nullable(),
  node_label: z.string().nullable(),
  /** What the flow last commanded at this priority. */
  commanded_value: ScalarValueSchema,
});

/**
 * A point's command picture: the 16 slots of its priority array, who holds each, the relinquish
 * default and which slot wins. `source` is `flow` for a slot this supervisor's flows hold, `other` for
 * a value some other writer (a workstation, another controller) put there.
 */
export const PriorityArrayResponseSchema = z.object({
  point: z.string(),
  quality: QualitySchema,
  reason: z.string().optional(),
  present_value: ScalarValueSchema,
  relinquish_default: ScalarValueSchema,
  /** The priority whose value is in force, or null when every slot is empty (the relinquish default). */
  winning_priority: z.number().int().min(1).max(16).nullable(),
  slots: z.array(
    z.object({
      priority: z.number().int().min(1).max(16),
      value: ScalarValueSchema,
      source: z.enum(["flow", "other"]).nullable(),
      holder: PriorityHolderSchema.optional(),
    }),
  ),
  units: z.string().optional(),
  state_text: z.array(z.string()).optional(),
  active_text: z.string().optional(),
  inactive_text: z.string().optional(),
  timestamp: DateTimeSchema,
});
export type PriorityArrayResponse = z.infer<typeof PriorityArrayResponseSchema>;

/** Seed §8.2 LiveDataResponse: one point's live value. */
export const LiveDataResponseSchema = z.object({
  timestamp: DateTimeSchema,
  device_id: BacnetDeviceInstanceSchema,
  object_type: z.string(),
  object_instance: BacnetObjectInstanceSchema,
  present_value: z.union([z.number(), z.boolean(), z.string(), z.null()]),
  status: z.enum(["ok", "error", "timeout"]),
  quality: QualitySchema,
  reason: z.string().optional(),
});
export type LiveDataResponse = z.infer<typeof LiveDataResponseSchema>;

export const FlowRunStatusSchema = z.enum(["running", "stopped", "error"]);

/** Seed §8.2 FlowStatusResponse. */
export const FlowStatusResponseSchema = z.object({
  flow_id: z.string().nullable(),
  flow_name: z.string().nullable().optional(),
  config_version: z.number().int().nullable().optional(),
  status: FlowRunStatusSchema,
  last_execution: DateTimeSchema.nullable(),
  execution_count: z.number().int().min(0),
  error_message: z.string().optional(),
});
export type FlowStatusResponse = z.infer<typeof FlowStatusResponseSchema>;

export const DeviceSchema = z.object({
  device_id: BacnetDeviceInstanceSchema,
  address: z.string(),
  name: z.string().nullable(),
  vendor_name: z.string().nullable(),
  model_name: z.string().nullable(),
  max_apdu: z.number().int().nullable(),
  segmentation: z.string().nullable(),
  status: z.enum(["online", "offline", "unknown"]),
  last_seen: DateTimeSchema.nullable(),
  object_count: z.number().int().nullable().optional(),
  reason: z.string().optional(),
});
export type Device = z.infer<typeof DeviceSchema>;

/** Seed §8.2 DeviceDiscoveryResponse, with progress for a scan still running. */
export const DeviceDiscoveryResponseSchema = z.object({
  devices: z.array(DeviceSchema),
  last_scan: DateTimeSchema.nullable(),
  scan_status: z.enum(["complete", "in_progress", "error", "idle"]),
  progress: z
    .object({ found: z.number().int(), elapsed_ms: z.number().int(), timeout_ms: z.number().int() })
    .optional(),
  error_message: z.string().optional(),
});
export type DeviceDiscoveryResponse = z.infer<typeof DeviceDiscoveryResponseSchema>;

/** `stopped`: the flow is not scanning, so the node has no current value (its last one is not shown as live). */
export const NodeStatusSchema = z.enum(["idle", "executing", "completed", "error", "skipped", "stopped"]);
export type NodeStatus = z.infer<typeof NodeStatusSchema>;

/** Seed §8.2 NodeExecutionStatus: one node in the last scan. */
export const NodeExecutionStatusSchema = z.object({
  node_id: z.string(),
  status: NodeStatusSchema,
  start_time: DateTimeSchema.optional(),
  end_time: DateTimeSchema.optional(),
  execution_duration_ms: z.number().min(0).optional(),
  error_message: z.string().optional(),
  input_values: z.record(z.string(), z.unknown()).optional(),
  output_values: z.record(z.string(), z.unknown()).optional(),
});
export type NodeExecutionStatus = z.infer<typeof NodeExecutionStatusSchema>;

/** Seed §8.2 NodeExecutionEvent: the timeline entry. */
export const NodeExecutionEventSchema = z.object({
  node_id: z.string(),
  event_type: z.enum(["started", "completed", "error", "skipped"]),
  timestamp: DateTimeSchema,
  scan: z.number().int().min(0).optional(),
  duration_ms: z.number().min(0).optional(),
  error_details: z.string().optional(),
});
export type NodeExecutionEvent = z.infer<typeof NodeExecutionEventSchema>;

/** Seed §8.2 ExecutionState. */
export const ExecutionStateSchema = z.object({
  flow_id: z.string().nullable(),
  status: z.enum(["idle", "running", "paused", "error", "completed", "stopped"]),
  current_executing_nodes: z.array(z.string()),
  execution_start_time: DateTimeSchema.nullable(),
  execution_context: z.record(z.string(), z.unknown()),
  total_nodes: z.number().int().min(0),
  completed_nodes: z.number().int().min(0),
  failed_nodes: z.array(z.string()),
  execution_timeline: z.array(NodeExecutionEventSchema),
});
export type ExecutionState = z.infer<typeof ExecutionStateSchema>;

/** Seed §8.2 ExecutionStateResponse: what the Designer overlay and the dashboard poll. */
export const ExecutionStateResponseSchema = z.object({
  execution_state: ExecutionStateSchema,
  node_statuses: z.array(NodeExecutionStatusSchema),
  live_context: z.record(z.string(), z.unknown()),
  scan: z.number().int().min(0),
  last_scan_at: DateTimeSchema.nullable(),
  performance_metrics: z.object({
    avg_execution_time_ms: z.number().min(0),
    nodes_per_second: z.number().min(0),
    memory_usage_mb: z.number().min(0),
  }),
});
export type ExecutionStateResponse = z.infer<typeof ExecutionStateResponseSchema>;

export const DeployResponseSchema = z.object({
  status: z.literal("deployed"),
  config_version: z.number().int().min(1),
  flow_id: z.string(),
  flow_name: z.string(),
  /** The Designer project version the config came from (null when the package did not say). */
  project_version: z.number().int().min(1).nullable().optional(),
  checksum: z.string(),
  activated_at: DateTimeSchema,
  project_id: z.string().optional(),
  /** What the deploy did to each flow of the site (unchanged flows kept running untouched). */
  flows: z
    .array(
      z.object({
        flow_id: z.string(),
        name: z.string(),
        action: z.enum(["added", "restarted", "unchanged", "removed"]),
      }),
    )
    .optional(),
});
export type DeployResponse = z.infer<typeof DeployResponseSchema>;

export const DiscoverRequestSchema = z.object({
  low_limit: BacnetDeviceInstanceSchema.optional(),
  high_limit: BacnetDeviceInstanceSchema.optional(),
  targets: z
    .array(z.string().regex(/^[^:\s]+(:\d{1,5})?$/, "must be ip or ip:port"))
    .max(256)
    .optional(),
  timeout_ms: z.number().int().min(100).max(60_000).default(3000),
});
export type DiscoverRequest = z.infer<typeof DiscoverRequestSchema>;

export const PointReadRequestSchema = z.object({ points: z.array(PointRefSchema).min(1).max(5000) });
export const PointWriteRequestSchema = z.object({
  writes: z
    .array(
      z.object({
        point: PointRefSchema,
        value: z.union([z.number(), z.boolean(), z.string(), z.null()]),
        priority: z.number().int().min(1).max(16).default(16),
      }),
    )
    .min(1)
    .max(1000),
  /** Write even at a priority a running flow commands (the flow overwrites it next change or heartbeat). */
  force: z.boolean().default(false),
});
