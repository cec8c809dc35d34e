import {
  isAnalogType,
  isBinaryType,
  isInputType,
  isMultiStateType,
  isOutputType,
  objectTypeName,
} from "@bms/bacnet";
import type { OutOfRange } from "./out-of-range";
import { PriorityArray } from "./priority-array";

export type ValueKind = "analog" | "binary" | "multiState";

export interface SimObjectInit {
  type: number;
  instance: number;
  name: string;
  description?: string;
  /** BACnetEngineeringUnits id; analog objects only. */
  units?: number;
  /** Values (AV/BV/MSV) may be commandable; outputs always are; inputs never. */
  commandable?: boolean;
  relinquishDefault?: number;
  initialValue?: number;
  covIncrement?: number;
  minPresValue?: number;
  maxPresValue?: number;
  stateText?: string[];
  activeText?: string;
  inactiveText?: string;
}

export type ObjectChangeListener = (object: SimObject) => void;

/**
 * One BACnet object of the nine point types. It keeps the *physical* value that the physics writes
 * (`processValue`) apart from what a client sees (`presentValue`), which also depends on the
 * priority array, outOfService and an operator override from the simulator's UI/REST.
 */
export class SimObject {
  readonly type: number;
  readonly instance: number;
  readonly kind: ValueKind;
  readonly typeName: string;
  name: string;
  description: string;
  readonly units: number | undefined;
  readonly priorityArray: PriorityArray | undefined;
  covIncrement: number;
  readonly minPresValue: number | undefined;
  readonly maxPresValue: number | undefined;
  readonly stateText: string[];
  readonly activeText: string;
  readonly inactiveText: string;
  /** What the sensor/physics says (inputs), or the stored value of a non-commandable value object. */
  processValue: number;
  /** Client-controlled decoupling from the process (clause 12: writes to presentValue allowed while true). */
  outOfService = false;
  /** The value a client wrote while outOfService, for inputs. */
  private outOfServiceValue: number;
  /** The simulator operator's override from REST/web; holds presentValue regardless of commands. */
  override: number | null = null;
  reliability = 0;
  /** Intrinsic reporting (OUT_OF_RANGE), on analog objects a site file gives limits to. */
  alarm: OutOfRange | undefined;
  private readonly listeners: ObjectChangeListener[] = [];

  constructor(init: SimObjectInit) {
    this.type = init.type;
    this.instance = init.instance;
    this.typeName = objectTypeName(init.type);
    if (isAnalogType(init.type)) this.kind = "analog";
    else if (isBinaryType(init.type)) this.kind = "binary";
    else if (isMultiStateType(init.type)) this.kind = "multiState";
    else throw new Error(`object type ${this.typeName} is not a point type`);
    this.name = init.name;
    this.description = init.description ?? "";
    this.units = this.kind === "analog" ? (init.units ?? 95) : undefined; // 95 = noUnits
    const commandable = isOutputType(init.type) || (!isInputType(init.type) && init.commandable === true);
    const fallback = this.kind === "multiState" ? 1 : 0;
    const relinquishDefault = init.relinquishDefault ?? init.initialValue ?? fallback;
    this.priorityArray = commandable ? new PriorityArray(relinquishDefault) : undefined;
    this.processValue = init.initialValue ?? relinquishDefault;
    this.outOfServiceValue = this.processValue;
    this.covIncrement = init.covIncrement ?? (this.kind === "analog" ? 0.1 : 0);
    this.minPresValue = init.minPresValue;
    this.maxPresValue = init.maxPresValue;
    this.stateText = init.stateText ?? (this.kind === "multiState" ? ["State 1", "State 2", "State 3"] : []);
    this.activeText = init.activeText ?? "On";
    this.inactiveText = init.inactiveText ?? "Off";
  }

  get key(): string {
    return `${this.typeName}:${this.instance}`;
  }

  get isInput(): boolean {
    return isInputType(this.type);
  }

  get commandable(): boolean {
    return this.priorityArray !== undefined;
  }

  get numberOfStates(): number {
    return this.stateText.length;
  }

  /** The value a BACnet client reads. */
  get presentValue(): number {
    if (this.override !== null) return this.override;
    if (this.outOfService && this.isInput) return this.outOfServiceValue;
    if (this.priorityArray) return this.priorityArray.presentValue;
    return this.processValue;
  }

  /** The priority that currently commands presentValue (null = relinquish default or not commandable). */
  get currentCommandPriority(): number | null {
    return this.priorityArray?.effective().priority ?? null;
  }

  get statusFlags(): { inAlarm: boolean; fault: boolean; overridden: boolean; outOfService: boolean } {
    return {
      inAlarm: (this.alarm?.eventState ?? 0) !== 0,
      fault: this.reliability !== 0,
      // An operator override of an output or value is a local (hand) override in BACnet terms.
      overridden: this.override !== null && !this.isInput,
      outOfService: this.outOfService || (this.override !== null && this.isInput),
    };
  }

  /** The outOfService property: an input overridden from the simulator's UI reads as out of service. */
  get outOfServiceProperty(): boolean {
    return this.outOfService || (this.override !== null && this.isInput);
  }

  /** Physics entry point: the process moved. Ignored for presentValue while overridden/outOfService. */
  setProcessValue(value: number): void {
    if (value === this.processValue) return;
    this.processValue = value;
    this.touch();
  }

  /** A client wrote presentValue. The caller has validated the datatype and range. */
  writePresentValue(value: number | null, priority: number): void {
    if (this.priorityArray) {
      this.priorityArray.write(priority, value);
    } else if (value !== null) {
      if (this.isInput) this.outOfServiceValue = value;
      else this.processValue = value;
    }
    this.touch();
  }

  setOutOfService(value: boolean): void {
    if (value && !this.outOfService) this.outOfServiceValue = this.presentValue;
    this.outOfService = value;
    this.touch();
  }

  setOverride(value: number | null): void {
    this.override = value;
    this.touch();
  }

  onChange(listener: ObjectChangeListener): void {
    this.listeners.push(listener);
  }

  /** Tells listeners (COV, web) that something observable changed. */
  touch(): void {
    for (const listener of this.listeners) listener(this);
  }
}
