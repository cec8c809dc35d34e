// @vitest-environment jsdom
import { describeNode } from "@bms/nodes/definitions";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { createElement } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { describeConfigFields } from "../../lib/zod-form";
import { PropertyField } from "./property-field";

// Plain createElement: the root vitest config keeps Next's `jsx: preserve`, so test files stay JSX-free.
const field = (type: string, key: string) => {
  const found = describeConfigFields(describeNode(type)!.config).find((f) => f.key === key);
  if (!found) throw new Error(`${type}.${key} missing`);
  return found;
};
const renderField = (props: Parameters<typeof PropertyField>[0]) =>
  render(createElement(PropertyField, props));

afterEach(cleanup);

describe("generated property field", () => {
  it("shows an invalid entry inline and commits nothing until the value is valid", () => {
    const onCommit = vi.fn();
    renderField({ field: field("actuator_write", "priority"), value: 16, onCommit });
    const input = screen.getByTestId("field-priority");
    fireEvent.change(input, { target: { value: "17" } });
    expect(screen.getByTestId("field-error-priority").textContent).toMatch(/16/);
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(onCommit).not.toHaveBeenCalled();

    fireEvent.change(input, { target: { value: "8" } });
    expect(screen.queryByTestId("field-error-priority")).toBeNull();
    expect(onCommit).toHaveBeenCalledWith(8);
  });

  it("shows the range, the default and a required marker from the schema", () => {
    renderField({ field: field("actuator_write", "priority"), value: 16, onCommit: () => {} });
    expect(screen.getByTestId("property-priority").textContent).toMatch(/range 1 … 16.*default 16/);
    cleanup();
    renderField({
      field: field("sensor_read", "point"),
      value: undefined,
      problem: "required",
      onCommit: () => {},
    });
    expect(screen.getByTestId("property-point").textContent).toMatch(/Point \*/);
    expect(screen.getByTestId("field-error-point").textContent).toBe("required");
  });

  it("normalises a point reference before committing it", () => {
    const onCommit = vi.fn();
    renderField({ field: field("sensor_read", "point"), value: undefined, onCommit });
    fireEvent.change(screen.getByTestId("field-point"), { target: { value: "bacnet:1001:AI1" } });
    expect(onCommit).toHaveBeenCalledWith("bacnet:1001/analogInput:1.presentValue");
  });

  it("renders enums as a select with the schema's options", () => {
    const onCommit = vi.fn();
    renderField({ field: field("threshold", "operator"), value: ">", onCommit });
    const select = screen.getByTestId("field-operator") as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual([">", "<", ">=", "<=", "==", "!="]);
    fireEvent.change(select, { target: { value: "<=" } });
    expect(onCommit).toHaveBeenCalledWith("<=");
  });

  it("follows an outside change (undo) of the stored value", () => {
    const props = { field: field("threshold", "value"), onCommit: () => {} };
    const { rerender } = renderField({ ...props, value: 24 });
    const input = screen.getByTestId("field-value") as HTMLInputElement;
    expect(input.value).toBe("24");
    rerender(createElement(PropertyField, { ...props, value: 21.5 }));
    expect(input.value).toBe("21.5");
  });
});
