/**
 * What a read layer works out from a list of refs (routing, parsing, grouping per device), remembered
 * per list object. A flow polls the same points every scan and SharedReads hands each device the same
 * list object while its batch is unchanged, so that work is done once, not per point per scan (issue 15:
 * it was a tenth of a 2,000-point scan's CPU). The remembered list is a copy, compared item by item
 * before each use: a caller that changes a list in place, or hands a new one, gets the work done afresh.
 * A frozen list cannot change, so it is neither copied nor compared (the flows' lists, SharedReads'
 * device lists and the registry's batches are frozen: comparing them at every layer, for every device
 * and every scan, was ~10 % of the supervisor's busy CPU, profile 2026-12-02).
 */
export class PerList<T, V> {
  private readonly memo = new WeakMap<readonly T[], { items: readonly T[]; value: V }>();

  constructor(private readonly make: (list: readonly T[]) => V) {}

  /** `current` says whether a remembered answer still holds (the registry's plugins may have changed). */
  get(list: readonly T[], current: (value: V) => boolean = () => true): V {
    const known = this.memo.get(list);
    if (known && (known.items === list || sameItems(known.items, list)) && current(known.value))
      return known.value;
    const value = this.make(list);
    this.memo.set(list, { items: Object.isFrozen(list) ? list : [...list], value });
    return value;
  }
}

export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
