import { normalizePointRef } from "@bms/schemas";
import type { BacnetService } from "../protocols/bacnet/bacnet-service";
import { readObjectList } from "../protocols/bacnet/object-browser";
import {
  RECORDS_PER_READ,
  readTrendLogInfo,
  readTrendRecords,
  TREND_LOG_TYPE,
  type TrendRecord,
} from "../protocols/bacnet/trend-logs";
import type { BackfillsRepo } from "../storage/backfills-repo";
import type { Bucket, TimeseriesRepo } from "../storage/timeseries-repo";
import { repeatPasses } from "./repeating-pass";

/** How long the Trend Logs found on a device are trusted before its object list is read again. */
const DISCOVERY_TTL_MS = 3_600_000;

/** `--trend-log <device>:<instance>=<point ref>`: which device Trend Log fills which point's history. */
export interface TrendLogMapping {
  deviceId: number;
  logInstance: number;
  /** Absent: the log's own Log_DeviceObjectProperty, when it is a Present_Value on the same device. */
  pointRef?: string;
}

export interface TrendBackfillOptions {
  /** Explicit mappings; they win over what a log says it records. */
  mappings: readonly TrendLogMapping[];
  /** Also find the Trend Logs of every device whose points are in history (`--trend-backfill auto`). */
  auto: boolean;
  /** How often to read on from each log's cursor (a device outage is then filled within this). */
  intervalMs: number;
  retentionMs: number;
  /** Records read per log per run at most, so one huge log cannot hold the BACnet pipeline. */
  maxRecordsPerRun?: number;
}

export interface BackfillDeps {
  bacnet(): BacnetService | undefined;
  repo: BackfillsRepo;
  timeseries: TimeseriesRepo;
  /** Points whose history the supervisor keeps (flow points and the watch list). */
  recordedRefs(): Iterable<string>;
  report(level: "info" | "warn", message: string, data: Record<string, unknown>): void;
  now?: () => number;
}

export interface BackfillOutcome {
  device_id: number;
  log_instance: number;
  point: string | null;
  read: number;
  imported: number;
  error?: { code: string; message: string };
}

/**
 * Pulls device Trend Log records into history where the supervisor has none of its own: while it was
 * stopped, and while its reads of the point failed (bad quality). Each log is read from a stored
 * cursor (the next sequence number) with ReadRange by sequence number, or, the first time, by time
 * from the start of retention; so a record is looked at once, and a restart costs nothing twice.
 * Imported stretches are recorded as backfill ranges, which the history API and the charts show.
 */
export class TrendBackfill {
  private stopPasses: (() => void) | undefined;
  private running: Promise<BackfillOutcome[]> | undefined;
  /** When this supervisor run began recording: records before it and after its last sample are a gap. */
  private readonly startedAt: number;
  private readonly now: () => number;
  /** Trend Logs found per device, kept an hour: an object list is not re-read every pass. */
  private readonly found = new Map<number, { at: number; logs: number[] }>();
  readonly stats = { runs: 0, records_read: 0, samples_imported: 0, errors: 0 };

  constructor(
    private readonly deps: BackfillDeps,
    private readonly options: TrendBackfillOptions,
  ) {
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
  }

  start(firstDelayMs = 3000): void {
    if (this.options.mappings.length === 0 && !this.options.auto) return;
    this.stopPasses?.();
    this.stopPasses = repeatPasses(() => this.runOnce(), this.options.intervalMs, firstDelayMs);
  }

  stop(): void {
    this.stopPasses?.();
    this.stopPasses = undefined;
  }

  /** One pass over every mapped log; a second call while one runs waits for it. */
  runOnce(): Promise<BackfillOutcome[]> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<BackfillOutcome[]> {
    const bacnet = this.deps.bacnet();
    if (!bacnet?.started) return [];
    this.stats.runs++;
    const mappings = [...this.options.mappings];
    if (this.options.auto) mappings.push(...(await this.discover(bacnet, mappings)));
    const outcomes: BackfillOutcome[] = [];
    for (const mapping of mappings) outcomes.push(await this.backfillLog(bacnet, mapping));
    return outcomes;
  }

  /** Trend Logs on the devices whose points are recorded, not mapped explicitly already. */
  private async discover(bacnet: BacnetService, explicit: TrendLogMapping[]): Promise<TrendLogMapping[]> {
    const devices = new Set<number>();
    for (const ref of this.deps.recordedRefs()) {
      const match = /^bacnet:(\d+)\//.exec(ref);
      if (match) devices.add(Number(match[1]));
    }
    const found: TrendLogMapping[] = [];
    for (const deviceId of devices) {
      try {
        let known = this.found.get(deviceId);
        if (!known || this.now() - known.at > DISCOVERY_TTL_MS) {
          const objects = await readObjectList(bacnet, deviceId);
          known = {
            at: this.now(),
            logs: objects.filter((o) => o.type === TREND_LOG_TYPE).map((o) => o.instance),
          };
          this.found.set(deviceId, known);
        }
        for (const logInstance of known.logs) {
          if (explicit.some((m) => m.deviceId === deviceId && m.logInstance === logInstance)) continue;
          found.push({ deviceId, logInstance });
        }
      } catch {
        // An unreachable device is tried again next pass; its reads already say it is offline.
      }
    }
    return found;
  }

  private async backfillLog(bacnet: BacnetService, mapping: TrendLogMapping): Promise<BackfillOutcome> {
    const { deviceId, logInstance } = mapping;
    const outcome: BackfillOutcome = {
      device_id: deviceId,
      log_instance: logInstance,
      point: mapping.pointRef ?? null,
      read: 0,
      imported: 0,
    };
    try {
      const info = await readTrendLogInfo(bacnet, deviceId, logInstance);
      const ref =
        mapping.pointRef ??
        (info.logged && info.logged.property === 85
          ? normalizePointRef(`bacnet:${deviceId}/${info.logged.objectType}:${info.logged.instance}`)
          : undefined);
      if (!ref) return outcome; // a log of something else; only an explicit mapping says where it goes
      outcome.point = ref;
      // Auto mode fills only points the supervisor keeps history for.
      if (!mapping.pointRef && this.options.auto && !new Set(this.deps.recordedRefs()).has(ref))
        return outcome;
      const cursor = this.deps.repo.cursor(deviceId, logInstance);
      const oldest = info.totalRecordCount - info.recordCount + 1;
      if (cursor && cursor.nextSequence < oldest && info.recordCount > 0) {
        this.deps.report("warn", "a device trend log overwrote records before they were read", {
          device_id: deviceId,
          log_instance: logInstance,
          lost: oldest - cursor.nextSequence,
        });
      }
      const records = await this.readNew(bacnet, mapping, cursor?.nextSequence, info.totalRecordCount);
      outcome.read = records.length;
      this.stats.records_read += records.length;
      const last = records.at(-1);
      if (!last) return outcome;
      const imported = this.importGaps(ref, records, info.intervalMs);
      outcome.imported = imported;
      this.deps.repo.saveCursor(
        { deviceId, logInstance, pointRef: ref, nextSequence: last.sequence + 1, lastTs: last.ts },
        this.now(),
      );
    } catch (error) {
      this.stats.errors++;
      const code = (error as { code?: unknown }).code;
      outcome.error = {
        code: typeof code === "string" ? code : "device_error",
        message: error instanceof Error ? error.message : String(error),
      };
      this.deps.report("warn", "a device trend log could not be read", {
        device_id: deviceId,
        log_instance: logInstance,
        error: outcome.error.message,
      });
    }
    return outcome;
  }

  /** Reads on from the cursor by sequence number, or the first time by time from retention's start. */
  private async readNew(
    bacnet: BacnetService,
    mapping: TrendLogMapping,
    nextSequence: number | undefined,
    total: number,
  ): Promise<TrendRecord[]> {
    const limit = this.options.maxRecordsPerRun ?? 10_000;
    const records: TrendRecord[] = [];
    let answer =
      nextSequence === undefined
        ? await readTrendRecords(bacnet, mapping.deviceId, mapping.logInstance, {
            by: "time",
            after: new Date(this.now() - this.options.retentionMs),
            count: RECORDS_PER_READ,
          })
        : nextSequence > total
          ? { records: [], more: false }
          : await readTrendRecords(bacnet, mapping.deviceId, mapping.logInstance, {
              by: "sequence",
              from: nextSequence,
              count: RECORDS_PER_READ,
            });
    for (;;) {
      records.push(...answer.records);
      const last = answer.records.at(-1);
      if (!last || records.length >= limit || (!answer.more && last.sequence >= total)) break;
      answer = await readTrendRecords(bacnet, mapping.deviceId, mapping.logInstance, {
        by: "sequence",
        from: last.sequence + 1,
        count: RECORDS_PER_READ,
      });
    }
    return records;
  }

  /**
   * Stores the records that fall where history has no good sample of the supervisor's own: before
   * any history at all, after a bad-quality sample (the supervisor could not read the point), or in
   * the stretch between the last sample before this run started and the first one after.
   */
  private importGaps(ref: string, records: readonly TrendRecord[], intervalMs: number | null): number {
    const first = records[0];
    const last = records.at(-1);
    if (!first || !last) return 0;
    const margin = 16 * 60_000; // the recorder stores a flat value at least every 15 minutes
    this.deps.timeseries.flush();
    const stored = this.deps.timeseries.query(ref, first.ts - margin, last.ts + 1, 0);
    const cutoff = this.now() - this.options.retentionMs;
    const importedRecords: TrendRecord[] = [];
    let i = 0;
    let prev: Bucket | undefined;
    for (const record of records) {
      while (i < stored.length && (stored[i]?.t ?? 0) <= record.ts) prev = stored[i++];
      const next = stored[i];
      if (record.ts < cutoff || record.ts > this.now()) continue;
      if (prev?.t === record.ts) continue; // already there (a run interrupted before its cursor was saved)
      const gap =
        prev === undefined ||
        prev.quality === "bad" ||
        (prev.t < this.startedAt && (next === undefined || next.t >= this.startedAt));
      if (gap) importedRecords.push(record);
    }
    for (const r of importedRecords) {
      this.deps.timeseries.record({
        ref,
        ts: r.ts,
        value: r.value,
        quality: r.fault ? "uncertain" : "good",
      });
    }
    this.deps.timeseries.flush();
    // One range per run of consecutive imported records: what the charts shade.
    const step = intervalMs ?? 60_000;
    let start: TrendRecord | undefined;
    let prevRecord: TrendRecord | undefined;
    let count = 0;
    const close = () => {
      if (start && prevRecord) {
        this.deps.repo.addRange(ref, {
          from: start.ts,
          to: prevRecord.ts,
          samples: count,
          source: "trend-log",
        });
      }
    };
    for (const r of importedRecords) {
      if (prevRecord && r.sequence === prevRecord.sequence + 1 && r.ts - prevRecord.ts <= 2 * step) {
        prevRecord = r;
        count++;
        continue;
      }
      close();
      start = r;
      prevRecord = r;
      count = 1;
    }
    close();
    this.stats.samples_imported += importedRecords.length;
    return importedRecords.length;
  }
}
