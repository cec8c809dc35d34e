import type { BrowseEntry, PointReading } from "../point-io";
import { readUplink } from "./lorawan";

/**
 * The browse tree of the topics seen so far. Ids: `t:<prefix>` opens a topic level, `j:<topic>` opens
 * the fields of a topic's JSON payload (each scalar leaf a point `mqtt:<topic>#<path>`).
 */
export interface TopicView {
  topics(): Iterable<string>;
  has(topic: string): boolean;
  /** The parsed JSON document of the topic's last payload, when it is JSON. */
  document(topic: string): unknown;
  reading(ref: string): PointReading;
  units(ref: string): string | undefined;
}

/** A payload with more leaves is summarised, not listed: browsing is for people. */
const MAX_FIELDS = 200;
const MAX_DEPTH = 6;

export function browseTopics(view: TopicView, parentId: string | undefined): BrowseEntry[] {
  if (parentId?.startsWith("j:")) return payloadFields(view, parentId.slice(2));
  const prefix = parentId?.startsWith("t:") ? parentId.slice(2) : undefined;
  const children = new Map<string, boolean>();
  for (const topic of view.topics()) {
    let rest: string;
    if (prefix === undefined) rest = topic;
    else if (topic.startsWith(`${prefix}/`)) rest = topic.slice(prefix.length + 1);
    else continue;
    const slash = rest.indexOf("/");
    const name = slash < 0 ? rest : rest.slice(0, slash);
    children.set(name, (children.get(name) ?? false) || slash >= 0);
  }
  const entries: BrowseEntry[] = [];
  if (prefix !== undefined && view.has(prefix)) entries.push(topicEntry(view, prefix, "(payload)"));
  for (const [name, hasChildren] of [...children].sort(([a], [b]) => a.localeCompare(b))) {
    const topic = prefix === undefined ? name : `${prefix}/${name}`;
    if (hasChildren) entries.push({ id: `t:${topic}`, name: name || "(empty)", kind: "folder" });
    else entries.push(topicEntry(view, topic, name || "(empty)"));
  }
  return entries;
}

function topicEntry(view: TopicView, topic: string, name: string): BrowseEntry {
  const document = view.document(topic);
  if (document !== null && typeof document === "object") {
    const uplink = readUplink(topic, document);
    const entry: BrowseEntry = { id: `j:${topic}`, name, kind: uplink ? "device" : "folder" };
    if (uplink) entry.description = `LoRaWAN ${uplink.deviceName ?? "device"} ${uplink.devEui}`;
    return entry;
  }
  const ref = `mqtt:${topic}`;
  return pointEntry(view, ref, name);
}

function pointEntry(view: TopicView, ref: string, name: string): BrowseEntry {
  const entry: BrowseEntry = {
    id: ref,
    name,
    kind: "point",
    ref,
    writable: true,
    reading: view.reading(ref),
  };
  const units = view.units(ref);
  if (units) entry.units = units;
  return entry;
}

function payloadFields(view: TopicView, topic: string): BrowseEntry[] {
  const document = view.document(topic);
  const uplink = readUplink(topic, document);
  const leaves: string[] = [];
  const walk = (value: unknown, path: string, depth: number) => {
    if (leaves.length >= MAX_FIELDS) return;
    if (value !== null && typeof value === "object") {
      if (depth >= MAX_DEPTH) return;
      if (Array.isArray(value)) for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`, depth + 1);
      else
        for (const [k, v] of Object.entries(value))
          if (!/[.[\]#]/.test(k)) walk(v, path ? `${path}.${k}` : k, depth + 1);
      return;
    }
    leaves.push(path);
  };
  // An uplink's sensor values first: they are what an integrator binds; the radio metadata follows.
  if (uplink) walk(uplink.object, "object", 1);
  walk(document, "", 0);
  return [...new Set(leaves)].map((path) => pointEntry(view, `mqtt:${topic}#${path}`, path));
}
