"use client";

import { useEffect, useId, useRef, useState } from "react";
import { cn } from "../../lib/cn";
import {
  type FieldDescriptor,
  fieldHelp,
  formatDefault,
  formatFieldValue,
  parseFieldInput,
} from "../../lib/zod-form";
import { Input } from "../ui/input";
import { Select } from "../ui/select";
import { Textarea } from "../ui/textarea";

/**
 * One generated field. The text box holds what the user typed; only a value that passes the field's
 * schema is committed to the node. An invalid entry shows its message inline and the node keeps its
 * last good value, so bad input never reaches a saved flow.
 */
export function PropertyField({
  field,
  value,
  problem,
  onCommit,
  onValidity,
}: {
  field: FieldDescriptor;
  value: unknown;
  /** The whole-config message for this key (e.g. a required point still empty). */
  problem?: string;
  onCommit: (value: unknown) => void;
  /** Told whether the text in the box is a value the field takes (a form refuses to save while not). */
  onValidity?: (valid: boolean) => void;
}) {
  const id = useId();
  const [text, setText] = useState(() => formatFieldValue(field, value));
  const [error, setError] = useState<string | null>(null);
  const lastCommitted = useRef(value);

  // Undo, paste or a restore changed the value under us: show it and drop the local draft.
  useEffect(() => {
    if (!Object.is(value, lastCommitted.current)) {
      lastCommitted.current = value;
      setText(formatFieldValue(field, value));
      setError(null);
    }
  }, [value, field]);

  const apply = (input: string | boolean) => {
    const parsed = parseFieldInput(field, input);
    if (!parsed.ok) {
      setError(parsed.message);
      onValidity?.(false);
      return;
    }
    setError(null);
    onValidity?.(true);
    lastCommitted.current = parsed.value;
    onCommit(parsed.value);
  };

  const shownError = error ?? (problem && text.trim() === "" ? problem : null);
  const describedBy = `${id}-help`;
  // "none" is said by the nullable hint instead; a structured default is no placeholder.
  const shownDefault = field.hasDefault ? formatDefault(field, field.defaultValue) : null;
  const placeholderDefault = shownDefault === "none" || field.kind === "json" ? null : shownDefault;
  const common = {
    id,
    "aria-invalid": shownError ? true : undefined,
    "aria-describedby": describedBy,
    "data-testid": `field-${field.key}`,
  } as const;

  let control: React.ReactNode;
  switch (field.kind) {
    case "boolean":
      control = (
        <input
          type="checkbox"
          className="size-4"
          checked={value === true}
          onChange={(e) => apply(e.target.checked)}
          {...common}
        />
      );
      break;
    case "enum":
      control = (
        <Select
          value={typeof value === "string" ? value : ""}
          onChange={(e) => {
            setText(e.target.value);
            apply(e.target.value);
          }}
          {...common}
        >
          {value === undefined ? <option value="">—</option> : null}
          {field.options?.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </Select>
      );
      break;
    case "json":
      control = (
        <Textarea
          rows={3}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            apply(e.target.value);
          }}
          {...common}
        />
      );
      break;
    default:
      control = (
        <Input
          type="text"
          inputMode={field.kind === "number" || field.kind === "integer" ? "decimal" : undefined}
          value={text}
          placeholder={
            field.kind === "point"
              ? "bacnet:1001/analogInput:1"
              : placeholderDefault !== null
                ? `default ${placeholderDefault}`
                : field.nullable
                  ? "empty: none"
                  : ""
          }
          onChange={(e) => {
            setText(e.target.value);
            apply(e.target.value);
          }}
          className={cn(field.kind === "point" && "font-mono text-xs")}
          {...common}
        />
      );
  }

  return (
    <div className="space-y-1" data-testid={`property-${field.key}`}>
      <label
        htmlFor={id}
        className="flex items-baseline justify-between gap-2 text-xs font-medium text-slate-700"
      >
        <span>
          {field.label}
          {field.required ? <span className="text-red-600"> *</span> : null}
        </span>
      </label>
      <div className="flex items-center gap-1">
        {control}
        {field.unit && field.kind !== "boolean" ? (
          <span className="text-xs text-slate-500" data-testid={`unit-${field.key}`}>
            {field.unit}
          </span>
        ) : null}
      </div>
      {shownError ? (
        <p className="text-[11px] text-red-700" data-testid={`field-error-${field.key}`} role="alert">
          {shownError}
        </p>
      ) : null}
      <p id={describedBy} className="text-[11px] text-slate-500" data-testid={`field-help-${field.key}`}>
        {fieldHelp(field)}
      </p>
    </div>
  );
}
