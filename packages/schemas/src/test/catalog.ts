import { z } from "zod";
import type { NodeCatalog } from "../flow";
import { PointRefSchema } from "../point-ref";

/** A small catalog standing in for packages/nodes, so schema tests need no node library. */
const TYPES: Record<string, ReturnType<NodeCatalog>> = {
  sensor_read: {
    label: "Sensor Read",
    inputs: [],
    outputs: [{ name: "value" }],
    config: z.object({ point: PointRefSchema, device_id: z.number().int().max(4194302).optional() }),
  },
  threshold: {
    label: "Threshold",
    inputs: [
      { name: "value", label: "Measurement", required: true },
      { name: "limit", label: "Limit" },
    ],
    outputs: [{ name: "result" }],
    config: z.object({ operator: z.enum([">", "<"]), value: z.number() }),
  },
  math: {
    inputs: [{ name: "a" }, { name: "b" }],
    outputs: [{ name: "result" }],
    config: z.object({}),
  },
  feedback: {
    inputs: [{ name: "value" }],
    outputs: [{ name: "value" }],
    breaksCycles: true,
    config: z.object({}),
  },
  and: {
    inputs: [{ name: "inputs" }],
    outputs: [{ name: "result" }],
    multiInputs: ["inputs"],
    config: z.object({}),
  },
};

export const testCatalog: NodeCatalog = (type) => TYPES[type];
