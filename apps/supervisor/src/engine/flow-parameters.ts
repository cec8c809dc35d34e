import type { Scalar } from "@bms/nodes";

/** Where operator-set values are kept (runtime.db); absent in unit tests that need no persistence. */
export interface ParameterStore {
  all(): { flowId: string; name: string; value: Scalar }[];
  set(flowId: string, name: string, value: Scalar): void;
}

/**
 * Runtime parameters, one namespace per flow: two flows may both publish "setpoint", and a latch reset
 * or an alarm acknowledgement (`latch_reset:<node>`, `alert_ack:<key>`) reaches only the flow it is
 * for, even where node ids repeat across flows. Each flow engine reads its own map; values an operator
 * sets are persisted, so they survive a restart and a redeploy.
 */
export class FlowParameters {
  private readonly maps = new Map<string, Map<string, Scalar>>();

  constructor(private readonly store?: ParameterStore) {
    for (const { flowId, name, value } of store?.all() ?? []) this.forFlow(flowId).set(name, value);
  }

  /** The map a flow's engine reads and seeds its defaults into. */
  forFlow(flowId: string): Map<string, Scalar> {
    let map = this.maps.get(flowId);
    if (!map) {
      map = new Map();
      this.maps.set(flowId, map);
    }
    return map;
  }

  get(flowId: string, name: string): Scalar | undefined {
    return this.maps.get(flowId)?.get(name);
  }

  /** An operator's value: kept in runtime.db as well. */
  set(flowId: string, name: string, value: Scalar): void {
    this.forFlow(flowId).set(name, value);
    this.store?.set(flowId, name, value);
  }

  /** A one-shot token (latch reset, alarm ack): a new value is the event; nothing to keep. */
  signal(flowId: string, name: string, token = Date.now()): void {
    this.forFlow(flowId).set(name, token);
  }
}
