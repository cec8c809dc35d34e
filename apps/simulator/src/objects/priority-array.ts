/** BACnet command priorities run 1 (manual life safety) to 16 (lowest); 8 is manual operator. */
export const PRIORITY_LEVELS = 16;

export interface EffectiveCommand {
  value: number;
  /** The slot that won, or null when every slot is NULL and the relinquish default applies. */
  priority: number | null;
}

/**
 * The 16-slot command prioritisation of clause 19.2: presentValue is the value in the
 * highest-priority (lowest-numbered) non-NULL slot, else the relinquish default.
 */
export class PriorityArray {
  private readonly slots: Array<number | null> = new Array<number | null>(PRIORITY_LEVELS).fill(null);

  constructor(public relinquishDefault: number) {}

  /** Writes (or with null, relinquishes) one slot. Priority must already be validated to 1..16. */
  write(priority: number, value: number | null): void {
    if (!isValidPriority(priority)) throw new RangeError(`priority ${priority} outside 1..16`);
    this.slots[priority - 1] = value;
  }

  slot(priority: number): number | null {
    return this.slots[priority - 1] ?? null;
  }

  effective(): EffectiveCommand {
    for (let i = 0; i < PRIORITY_LEVELS; i++) {
      const value = this.slots[i];
      if (value !== null && value !== undefined) return { value, priority: i + 1 };
    }
    return { value: this.relinquishDefault, priority: null };
  }

  get presentValue(): number {
    return this.effective().value;
  }

  /** A copy of the slots, index 0 = priority 1. */
  snapshot(): Array<number | null> {
    return [...this.slots];
  }

  relinquishAll(): void {
    this.slots.fill(null);
  }
}

export function isValidPriority(priority: number): boolean {
  return Number.isInteger(priority) && priority >= 1 && priority <= PRIORITY_LEVELS;
}
