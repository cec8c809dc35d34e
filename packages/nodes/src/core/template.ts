/**
 * Message templates for alerts: `"Temperature high: $temp"` or `"Supply ${round(sat, 1)} °C"`.
 * `$name` inserts a variable, `${expression}` a safe expression (see expression.ts), `$$` a dollar sign.
 */
import type { Quality } from "@bms/schemas";
import { type CompiledExpression, compileExpression, type ExprValue } from "./expression";
import type { NodeValue } from "./types";

type Part = string | CompiledExpression;

export interface CompiledTemplate {
  parts: readonly Part[];
  variables: readonly string[];
}

export type TemplateCompileResult = { ok: true; template: CompiledTemplate } | { ok: false; error: string };

const NAME_START = /[A-Za-z]/;
const NAME_PART = /[A-Za-z0-9_]/;

export function compileTemplate(source: string): TemplateCompileResult {
  const parts: Part[] = [];
  let text = "";
  let i = 0;
  const push = (expr: string): string | undefined => {
    const compiled = compileExpression(expr);
    if (!compiled.ok) return `in "${expr}": ${compiled.error}`;
    if (text) parts.push(text);
    text = "";
    parts.push(compiled.expression);
    return undefined;
  };
  while (i < source.length) {
    const ch = source[i]!;
    const next = source[i + 1];
    if (ch !== "$" || next === undefined) {
      text += ch;
      i++;
    } else if (next === "$") {
      text += "$";
      i += 2;
    } else if (next === "{") {
      const close = source.indexOf("}", i + 2);
      if (close < 0) return { ok: false, error: `unclosed \${ at position ${i}` };
      const error = push(source.slice(i + 2, close));
      if (error) return { ok: false, error };
      i = close + 1;
    } else if (NAME_START.test(next)) {
      let end = i + 2;
      while (end < source.length && NAME_PART.test(source[end]!)) end++;
      const error = push(source.slice(i + 1, end));
      if (error) return { ok: false, error };
      i = end;
    } else {
      text += ch;
      i++;
    }
  }
  if (text) parts.push(text);
  const variables = [...new Set(parts.flatMap((p) => (typeof p === "string" ? [] : [...p.variables])))];
  return { ok: true, template: { parts, variables } };
}

/** Numbers as an operator reads them: integers as they are, others to two decimals. */
export function formatValue(value: ExprValue): string {
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return String(value);
  return String(Math.round(value * 100) / 100);
}

export interface RenderedTemplate {
  text: string;
  /** good, or uncertain when a part could not be evaluated (it renders as "?"). */
  quality: Quality;
  reason?: string;
}

export function renderTemplate(
  template: CompiledTemplate,
  resolve: (name: string) => NodeValue | undefined,
): RenderedTemplate {
  let text = "";
  let reason: string | undefined;
  for (const part of template.parts) {
    if (typeof part === "string") {
      text += part;
      continue;
    }
    const result = part.evaluate(resolve);
    if (result.ok) {
      text += formatValue(result.value);
    } else {
      text += "?";
      reason ??= result.error;
    }
  }
  return reason === undefined ? { text, quality: "good" } : { text, quality: "uncertain", reason };
}

const cache = new Map<string, TemplateCompileResult>();

export function cachedTemplate(source: string): TemplateCompileResult {
  let hit = cache.get(source);
  if (hit === undefined) {
    if (cache.size >= 1000) cache.clear();
    hit = compileTemplate(source);
    cache.set(source, hit);
  }
  return hit;
}
