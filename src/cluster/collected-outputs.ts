/**
 * What collecting sinks sent, per channel. The collecting sink commits batches with a
 * unique id; a batch whose id was seen is ignored, so a commit repeated after a restore
 * adds nothing.
 */

interface IdentifiedBatch {
  readonly id: string;
  readonly records: readonly unknown[];
}

function isIdentifiedBatch(value: unknown): value is IdentifiedBatch {
  return typeof value === 'object' && value !== null && typeof (value as IdentifiedBatch).id === 'string' && Array.isArray((value as IdentifiedBatch).records);
}

/** Records received from collecting sinks, kept across attempts. */
export class CollectedOutputs {
  private readonly records = new Map<string, unknown[]>();
  private readonly seen = new Set<string>();

  add(channel: string, payload: readonly unknown[]): void {
    const list = this.records.get(channel) ?? [];
    for (const item of payload) {
      if (!isIdentifiedBatch(item)) {
        list.push(item);
        continue;
      }
      const key = `${channel}\u0000${item.id}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      for (const r of item.records) list.push(r);
    }
    this.records.set(channel, list);
  }

  snapshot(): ReadonlyMap<string, unknown[]> {
    return this.records;
  }
}
