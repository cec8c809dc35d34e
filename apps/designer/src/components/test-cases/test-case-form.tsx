"use client";

import { FlowTestCaseSchema } from "@bms/schemas";
import { Plus, Trash2 } from "lucide-react";
import { useMemo, useRef, useState } from "react";
import type { z } from "zod";
import { describeConfigFields, type FieldDescriptor, listItemSchema } from "../../lib/zod-form";
import { PropertyField } from "../flow-editor/property-field";
import { Button } from "../ui/button";
import { Select } from "../ui/select";
import {
  type ExpectTarget,
  expectKey,
  type InputTarget,
  inputKey,
  shortRef,
  type TestCaseProblem,
  type TestTargets,
} from "./test-case-targets";

/** A case being edited: what the schema takes as input (rows may still be half filled). */
export type TestCaseDraft = Record<string, unknown>;
type Row = Record<string, unknown>;

/** Fields a row's target picker sets; the rest of the row is generated from the schema. */
const TARGET_KEYS: Record<ListKey, readonly string[]> = {
  inputs: ["point", "parameter"],
  expect: ["point", "output"],
};
type ListKey = "inputs" | "expect";
/** The case's flow is the open flow: never a field. */
const HIDDEN = new Set(["flow_id"]);

const LIST_WORDS: Record<ListKey, { title: string; noun: string; help: string }> = {
  inputs: {
    title: "Inputs",
    noun: "input",
    help: "From each time on, the point reads (or the parameter holds) the value, until a later step for it.",
  },
  expect: {
    title: "Expected",
    noun: "expectation",
    help: "What must hold of a node's output or a commanded point over a window of the run.",
  },
};

/** Each top-level field of the test-case schema: a plain field, or a list of rows with their own fields. */
const CASE_FIELDS = describeConfigFields(FlowTestCaseSchema)
  .filter((f) => !HIDDEN.has(f.key))
  .map((field) => {
    const item = listItemSchema(field.schema);
    return { field, rows: item ? describeConfigFields(item as z.ZodType) : null };
  });

/** A fresh row: every default filled in, the first target of the flow picked. */
function newRow(list: ListKey, targets: TestTargets, fields: readonly FieldDescriptor[]): Row {
  const row: Row = {};
  for (const f of fields) if (f.hasDefault) row[f.key] = structuredClone(f.defaultValue);
  if (list === "inputs") {
    const first = targets.inputs[0];
    Object.assign(row, { at_s: 0, value: 0 }, first?.set ?? {});
  } else {
    const first = targets.expects[0];
    Object.assign(row, { mode: "at_end", op: "eq", value: 0 }, first?.check ?? {});
  }
  return row;
}

/**
 * A test case as a form generated from `FlowTestCaseSchema` by the same generator as the node
 * inspector (zod-form + PropertyField): each field is checked as it is typed and a bad value stays in
 * its box with its message, never in the case. What a row sets or checks is picked from the open
 * flow as the canvas names it. `problems` are the whole-case check's (at Save), shown at their field.
 */
export function TestCaseForm({
  draft,
  onChange,
  onValidity,
  targets,
  problems,
}: {
  draft: TestCaseDraft;
  onChange(next: TestCaseDraft): void;
  /**
   * Told which fields hold text their schema refuses; Save waits until none do. A field is named by
   * its key, a row's field by `<list>#<stable row key>.<field>` (never by index, which shifts on remove).
   */
  onValidity(path: string, valid: boolean): void;
  targets: TestTargets;
  problems: readonly TestCaseProblem[];
}) {
  // Stable row keys, so a field keeps its typed text when a row above it is removed.
  const nextKey = useRef(0);
  const keysFor = (n: number): number[] => Array.from({ length: n }, () => nextKey.current++);
  const [rowKeys, setRowKeys] = useState<Record<ListKey, number[]>>(() => ({
    inputs: keysFor((draft.inputs as Row[] | undefined)?.length ?? 0),
    expect: keysFor((draft.expect as Row[] | undefined)?.length ?? 0),
  }));

  const at = (path: string) => problems.filter((p) => p.path === path);
  const set = (key: string, value: unknown) => {
    const next = { ...draft };
    if (value === undefined) delete next[key];
    else next[key] = value;
    onChange(next);
  };
  const rowsOf = (list: ListKey) => (draft[list] as Row[] | undefined) ?? [];
  const setRow = (list: ListKey, index: number, row: Row) =>
    set(
      list,
      rowsOf(list).map((r, i) => (i === index ? row : r)),
    );

  return (
    <div className="space-y-3" data-testid="test-form">
      {CASE_FIELDS.map(({ field, rows }) =>
        rows ? (
          <RowList
            key={field.key}
            list={field.key as ListKey}
            rows={rowsOf(field.key as ListKey)}
            rowKeys={rowKeys[field.key as ListKey]}
            fields={rows}
            targets={targets}
            problems={problems}
            onValidity={onValidity}
            onAdd={() => {
              const list = field.key as ListKey;
              setRowKeys({ ...rowKeys, [list]: [...rowKeys[list], nextKey.current++] });
              set(list, [...rowsOf(list), newRow(list, targets, rows)]);
            }}
            onRemove={(index) => {
              const list = field.key as ListKey;
              setRowKeys({ ...rowKeys, [list]: rowKeys[list].filter((_, i) => i !== index) });
              set(
                list,
                rowsOf(list).filter((_, i) => i !== index),
              );
            }}
            onRow={(index, row) => setRow(field.key as ListKey, index, row)}
          />
        ) : (
          <div key={field.key} data-testid={`test-field-${field.key}`}>
            <PropertyField
              field={field}
              value={draft[field.key]}
              onCommit={(v) => set(field.key, v)}
              onValidity={(ok) => onValidity(field.key, ok)}
            />
            <Issues problems={at(field.key)} />
          </div>
        ),
      )}
    </div>
  );
}

function Issues({ problems }: { problems: readonly TestCaseProblem[] }) {
  if (problems.length === 0) return null;
  return (
    <>
      {problems.map((p) => (
        <p
          key={`${p.path}:${p.message}`}
          className="text-[11px] text-red-700"
          role="alert"
          data-testid="test-issue"
          data-path={p.path}
        >
          {p.message}
        </p>
      ))}
    </>
  );
}

function RowList({
  list,
  rows,
  rowKeys,
  fields,
  targets,
  problems,
  onValidity,
  onAdd,
  onRemove,
  onRow,
}: {
  list: ListKey;
  rows: Row[];
  rowKeys: number[];
  fields: readonly FieldDescriptor[];
  targets: TestTargets;
  problems: readonly TestCaseProblem[];
  onValidity(path: string, valid: boolean): void;
  onAdd(): void;
  onRemove(index: number): void;
  onRow(index: number, row: Row): void;
}) {
  const words = LIST_WORDS[list];
  const shown = fields.filter((f) => !TARGET_KEYS[list].includes(f.key));
  return (
    <section data-testid={`test-${list}`}>
      <div className="flex items-center gap-2">
        <h3 className="text-xs font-semibold text-slate-800">{words.title}</h3>
        <Button size="sm" variant="outline" onClick={onAdd} data-testid={`test-add-${list}`}>
          <Plus /> Add {words.noun}
        </Button>
      </div>
      <p className="text-[11px] text-slate-500">{words.help}</p>
      <Issues problems={problems.filter((p) => p.path === list)} />
      {rows.map((row, index) => {
        // Problems from the whole-case check name the row by index (it is recomputed at each Save); a
        // field's own bad-text flag names it by its stable key, so removing a row above cannot leave the
        // flag on a neighbour (Save refused with nothing red) or drop it (bad text silently lost).
        const path = `${list}.${index}`;
        const flag = `${list}#${rowKeys[index] ?? index}`;
        return (
          <div
            key={rowKeys[index] ?? index}
            className="mt-2 space-y-1.5 rounded border border-slate-200 p-2"
            data-testid={`test-${list}-${index}`}
          >
            <div className="flex items-end gap-1">
              <TargetPicker list={list} row={row} targets={targets} onPick={(r) => onRow(index, r)} />
              <button
                type="button"
                className="mb-1 text-red-700"
                title={`Remove this ${words.noun}`}
                onClick={() => {
                  for (const f of shown) onValidity(`${flag}.${f.key}`, true);
                  onRemove(index);
                }}
                data-testid={`test-remove-${list}-${index}`}
              >
                <Trash2 className="size-3.5" />
              </button>
            </div>
            <Issues problems={problems.filter((p) => p.path === path)} />
            <div className="grid grid-cols-2 gap-x-2 gap-y-1.5">
              {shown.map((f) => (
                <div key={f.key} data-testid={`test-${list}-${index}-${f.key}`}>
                  <PropertyField
                    field={f}
                    value={row[f.key]}
                    onCommit={(v) => {
                      const next = { ...row };
                      if (v === undefined) delete next[f.key];
                      else next[f.key] = v;
                      onRow(index, next);
                    }}
                    onValidity={(ok) => onValidity(`${flag}.${f.key}`, ok)}
                  />
                  <Issues
                    problems={problems.filter(
                      (p) => p.path === `${path}.${f.key}` || p.path.startsWith(`${path}.${f.key}.`),
                    )}
                  />
                </div>
              ))}
            </div>
          </div>
        );
      })}
    </section>
  );
}

/** What the row sets or checks, picked from the open flow; a target not in the flow stays listed as it is. */
function TargetPicker({
  list,
  row,
  targets,
  onPick,
}: {
  list: ListKey;
  row: Row;
  targets: TestTargets;
  onPick(row: Row): void;
}) {
  const options: (InputTarget | ExpectTarget)[] = list === "inputs" ? targets.inputs : targets.expects;
  const current = list === "inputs" ? inputKey(row) : expectKey(row);
  const known = useMemo(() => options.some((o) => o.key === current), [options, current]);
  return (
    <label className="flex min-w-0 flex-1 flex-col gap-0.5 text-xs font-medium text-slate-700">
      {list === "inputs" ? "Sets" : "Checks"}
      <Select
        value={current}
        onChange={(e) => {
          const target = options.find((o) => o.key === e.target.value);
          if (!target) return;
          const next = { ...row };
          for (const k of TARGET_KEYS[list]) delete next[k];
          onPick({ ...next, ...("set" in target ? target.set : target.check) });
        }}
        data-testid={`test-${list}-target`}
      >
        {current === "" ? <option value="">— pick from the flow —</option> : null}
        {!known && current !== "" ? (
          <option value={current}>
            {shortRef(current.replace(/^(point|parameter|output):/, ""))} (not in this flow)
          </option>
        ) : null}
        {options.map((o) => (
          <option key={o.key} value={o.key}>
            {o.label}
          </option>
        ))}
      </Select>
    </label>
  );
}
