import { z } from "zod";

/**
 * Reads a node's Zod config schema into form fields. Only the schema's own definition is used
 * (`_zod.def`, `_zod.bag`, description/meta), so a node type added to the library gets a form with
 * no editor change.
 */

export type FieldKind = "number" | "integer" | "boolean" | "enum" | "string" | "point" | "scalar" | "json";

export interface FieldDescriptor {
  key: string;
  kind: FieldKind;
  label: string;
  description?: string;
  unit?: string;
  /** No default and not optional: validation fails until it is filled. */
  required: boolean;
  hasDefault: boolean;
  defaultValue?: unknown;
  options?: string[];
  min?: number;
  max?: number;
  nullable: boolean;
  /** The field's full schema (with its default/optional wrappers), used to check one value. */
  schema: z.ZodType;
}

type Def = { type: string } & Record<string, unknown>;

function defOf(schema: z.core.$ZodType): Def {
  return schema._zod.def as unknown as Def;
}

function metaOf(schema: z.core.$ZodType): Record<string, unknown> {
  const meta = z.globalRegistry.get(schema);
  return (meta ?? {}) as Record<string, unknown>;
}

function humanize(key: string): string {
  const words = key.replace(/_/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

interface Unwrapped {
  core: z.core.$ZodType;
  hasDefault: boolean;
  defaultValue?: unknown;
  optional: boolean;
  nullable: boolean;
  description?: string;
  unit?: string;
  widget?: string;
}

/** Peels default/optional/nullable wrappers, collecting descriptions and meta from each layer. */
function unwrap(schema: z.core.$ZodType): Unwrapped {
  const result: Unwrapped = { core: schema, hasDefault: false, optional: false, nullable: false };
  let current = schema;
  for (let depth = 0; depth < 10; depth++) {
    const meta = metaOf(current);
    if (result.description === undefined && typeof meta.description === "string") {
      result.description = meta.description;
    }
    const unit = meta.unit ?? meta.units;
    if (result.unit === undefined && typeof unit === "string") result.unit = unit;
    if (result.widget === undefined && typeof meta.widget === "string") result.widget = meta.widget;
    const def = defOf(current);
    if (def.type === "default" || def.type === "prefault") {
      if (!result.hasDefault) {
        result.hasDefault = true;
        result.defaultValue = def.defaultValue;
      }
      current = def.innerType as z.core.$ZodType;
    } else if (def.type === "optional") {
      result.optional = true;
      current = def.innerType as z.core.$ZodType;
    } else if (def.type === "nullable") {
      result.nullable = true;
      current = def.innerType as z.core.$ZodType;
    } else {
      break;
    }
  }
  result.core = current;
  return result;
}

function isPointField(key: string, unwrapped: Unwrapped): boolean {
  if (unwrapped.widget === "point") return true;
  const def = defOf(unwrapped.core);
  const stringish =
    def.type === "string" || (def.type === "pipe" && defOf(def.in as z.core.$ZodType).type === "string");
  return stringish && (/(^|_)point$/.test(key) || /point reference/i.test(unwrapped.description ?? ""));
}

function scalarUnion(def: Def): { ok: boolean; nullable: boolean } {
  const options = (def.options as z.core.$ZodType[] | undefined) ?? [];
  let nullable = false;
  const ok = options.every((o) => {
    const t = defOf(o).type;
    if (t === "null") nullable = true;
    return ["number", "boolean", "string", "null", "literal"].includes(t);
  });
  return { ok, nullable };
}

export function describeField(key: string, schema: z.core.$ZodType): FieldDescriptor {
  const unwrapped = unwrap(schema);
  const def = defOf(unwrapped.core);
  const base = {
    key,
    label: humanize(key),
    required: !unwrapped.hasDefault && !unwrapped.optional,
    hasDefault: unwrapped.hasDefault,
    nullable: unwrapped.nullable,
    schema: schema as z.ZodType,
    ...(unwrapped.description !== undefined ? { description: unwrapped.description } : {}),
    ...(unwrapped.unit !== undefined ? { unit: unwrapped.unit } : {}),
    ...(unwrapped.hasDefault ? { defaultValue: unwrapped.defaultValue } : {}),
  };
  if (isPointField(key, unwrapped)) return { ...base, kind: "point" };
  switch (def.type) {
    case "number": {
      // Classic zod exposes the checks' effect as minValue/maxValue/isInt.
      const n = unwrapped.core as unknown as {
        minValue?: number | null;
        maxValue?: number | null;
        isInt?: boolean;
      };
      const finite = (v: number | null | undefined): v is number =>
        typeof v === "number" && Number.isFinite(v);
      const integer = n.isInt === true;
      return {
        ...base,
        kind: integer ? "integer" : "number",
        ...(finite(n.minValue) && Math.abs(n.minValue) < Number.MAX_SAFE_INTEGER ? { min: n.minValue } : {}),
        ...(finite(n.maxValue) && Math.abs(n.maxValue) < Number.MAX_SAFE_INTEGER ? { max: n.maxValue } : {}),
      };
    }
    case "boolean":
      return { ...base, kind: "boolean" };
    case "enum": {
      const entries = def.entries as Record<string, string | number>;
      return { ...base, kind: "enum", options: Object.values(entries).map(String) };
    }
    case "string":
      return { ...base, kind: "string" };
    case "union": {
      const { ok, nullable } = scalarUnion(def);
      if (ok) return { ...base, kind: "scalar", nullable: base.nullable || nullable };
      return { ...base, kind: "json" };
    }
    default:
      return { ...base, kind: "json" };
  }
}

/** The fields of an object schema in declaration order; a non-object config gets one JSON field. */
export function describeConfigFields(schema: z.core.$ZodType): FieldDescriptor[] {
  const def = defOf(schema);
  if (def.type !== "object") return [];
  const shape = def.shape as Record<string, z.core.$ZodType>;
  return Object.entries(shape).map(([key, field]) => describeField(key, field));
}

/**
 * The element schema of a list field whose items are objects (a test case's input steps, say), so a
 * form can draw one row of generated fields per item; null for any other field.
 */
export function listItemSchema(schema: z.core.$ZodType): z.core.$ZodType | null {
  const def = defOf(unwrap(schema).core);
  if (def.type !== "array") return null;
  const element = def.element as z.core.$ZodType;
  return defOf(element).type === "object" ? element : null;
}

/** A new node's config: every default filled in, required fields left for the user. */
export function defaultConfig(schema: z.core.$ZodType): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of describeConfigFields(schema)) {
    if (field.hasDefault) config[field.key] = structuredClone(field.defaultValue);
  }
  return config;
}

/** Longer than this, a structured default says nothing at a glance; the field's own value shows it. */
const MAX_DEFAULT_TEXT = 40;

/**
 * A default as a person reads it in help text, or null when there is nothing worth saying: an empty
 * string, an empty or long list/object. Never "[object Object]".
 */
export function formatDefault(field: Pick<FieldDescriptor, "kind">, value: unknown): string | null {
  if (value === undefined) return null;
  if (value === null) return "none";
  if (typeof value === "string") return value.trim() === "" ? null : value;
  if (typeof value === "boolean") return field.kind === "boolean" ? (value ? "on" : "off") : String(value);
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : null;
  if (typeof value === "object") {
    const empty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
    if (empty) return null;
    const text = JSON.stringify(value);
    return text.length <= MAX_DEFAULT_TEXT ? text : null;
  }
  return null;
}

/** The line under a field: description, range and default, each only when it has something to say. */
export function fieldHelp(field: FieldDescriptor): string {
  const parts: string[] = [];
  if (field.description?.trim()) parts.push(field.description.trim());
  if (field.min !== undefined || field.max !== undefined) {
    parts.push(`range ${field.min ?? "−∞"} … ${field.max ?? "∞"}`);
  }
  const shown = field.hasDefault ? formatDefault(field, field.defaultValue) : null;
  if (shown !== null) parts.push(`default ${shown}`);
  return parts.join(" · ");
}

/** How a stored value is shown in a text box. */
export function formatFieldValue(field: FieldDescriptor, value: unknown): string {
  if (value === undefined) return "";
  if (value === null) return "";
  if (field.kind === "json") return JSON.stringify(value);
  return String(value);
}

export type FieldParse = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Text typed into a field → the value to store, checked against the field's own schema. A value
 * that fails never reaches the node's config: the form shows the message and keeps the last good one.
 */
export function parseFieldInput(field: FieldDescriptor, text: string | boolean): FieldParse {
  let candidate: unknown;
  if (typeof text === "boolean") {
    candidate = text;
  } else {
    const trimmed = text.trim();
    if (trimmed === "") {
      if (field.nullable) candidate = null;
      else if (field.hasDefault || !field.required) candidate = undefined;
      else return { ok: false, message: "required" };
    } else {
      switch (field.kind) {
        case "number":
        case "integer": {
          const n = Number(trimmed.replace(",", "."));
          if (!Number.isFinite(n)) return { ok: false, message: `"${trimmed}" is not a number` };
          candidate = n;
          break;
        }
        case "scalar":
          if (trimmed === "true" || trimmed === "false") candidate = trimmed === "true";
          else if (trimmed !== "" && Number.isFinite(Number(trimmed))) candidate = Number(trimmed);
          else candidate = trimmed;
          break;
        case "json":
          try {
            candidate = JSON.parse(trimmed);
          } catch {
            return { ok: false, message: "not valid JSON" };
          }
          break;
        default:
          candidate = trimmed;
      }
    }
  }
  const parsed = field.schema.safeParse(candidate);
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? "invalid value" };
  // Point references are stored in canonical form; other fields keep what the user typed (an
  // emptied field falls back to its default, which is then stored explicitly).
  return { ok: true, value: field.kind === "point" ? parsed.data : (candidate ?? parsed.data) };
}

/** Whole-config check: the messages per top-level key, for fields the user has not touched yet. */
export function configProblems(schema: z.ZodType, config: Record<string, unknown>): Record<string, string> {
  const parsed = schema.safeParse(config);
  const problems: Record<string, string> = {};
  if (parsed.success) return problems;
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? "");
    if (!(key in problems)) problems[key] = config[key] === undefined ? "required" : issue.message;
  }
  return problems;
}
