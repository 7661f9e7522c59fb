/**
 * Partitioners: which channel(s) each record of a producer subtask goes to, and which
 * consumer subtasks a producer subtask is connected to at all.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Key } from '../../src/core/key-encoding.js';
import { assignKeyToParallelOperator } from '../../src/core/key-groups.js';
import type { PartitionerKind } from '../../src/runtime/graph/stream-graph.js';
import { END_OF_PARTITION } from '../../src/runtime/io/channel-event.js';
import { ChannelWriter } from '../../src/runtime/io/channel-writer.js';
import { RecordWriter, connectedConsumers } from '../../src/runtime/io/record-writer.js';
import { keyArb } from '../core/key-arbitraries.js';

/** One channel writer per target that sends every record at once; `received[i]` is channel i's records. */
function channels(n: number) {
  const received: unknown[][] = Array.from({ length: n }, () => []);
  const events: string[][] = Array.from({ length: n }, () => []);
  const writers = received.map(
    (list, i) =>
      new ChannelWriter(
        { sendRecords: (r) => list.push(...r), sendEvent: (e) => events[i]!.push(e.type) },
        1e9,
        1,
        () => {},
      ),
  );
  return { writers, received, events };
}

function recordWriter(
  partitioner: PartitionerKind,
  opts: { producerSubtask?: number; producerP?: number; consumerP: number; maxP?: number; key?: (r: unknown) => Key },
) {
  const producerSubtask = opts.producerSubtask ?? 0;
  const targets = connectedConsumers(partitioner, producerSubtask, opts.producerP ?? opts.consumerP, opts.consumerP);
  const c = channels(targets.length);
  const rw = new RecordWriter(partitioner, c.writers, producerSubtask, opts.consumerP, opts.maxP ?? 128, opts.key);
  return { rw, targets, ...c };
}

describe('hash partitioner', () => {
  it('sends every record of a key to the subtask that owns the key group (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 0, max: 300 }),
        fc.array(keyArb, { minLength: 1, maxLength: 40 }),
        (p, extra, keys) => {
          const maxP = p + extra;
          const { rw, received } = recordWriter('hash', { consumerP: p, maxP, key: (r) => (r as { k: Key }).k });
          keys.forEach((k, i) => rw.emit({ k, i }));
          received.forEach((list, subtask) => {
            for (const r of list as { k: Key }[]) expect(assignKeyToParallelOperator(r.k, maxP, p)).toBe(subtask);
          });
          expect(received.reduce((n, l) => n + l.length, 0)).toBe(keys.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('routes the reference keys 0..4 to their documented key groups with maxParallelism 128', () => {
    // key groups 94, 86, 127, 113, 7 (DESIGN §3); with parallelism 128 the subtask is the key group
    const { rw, received } = recordWriter('hash', { consumerP: 128, maxP: 128, key: (r) => r as number });
    for (const k of [0, 1, 2, 3, 4]) rw.emit(k);
    const where = (k: number) => received.findIndex((l) => l.includes(k));
    expect([0, 1, 2, 3, 4].map(where)).toEqual([94, 86, 127, 113, 7]);
  });

  it('keeps the records of each channel in emit order', () => {
    const { rw, received } = recordWriter('hash', { consumerP: 4, maxP: 128, key: (r) => (r as [string, number])[0] });
    for (let i = 0; i < 400; i++) rw.emit([`k${i % 13}`, i]);
    for (const list of received) {
      const seq = (list as [string, number][]).map((r) => r[1]);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
  });

  it('refuses to be built without a key selector', () => {
    expect(() => recordWriter('hash', { consumerP: 2 })).toThrow(/key selector/);
  });
});

describe('rebalance partitioner', () => {
  it('deals records round-robin over all consumers, starting at the producer index', () => {
    const { rw, received } = recordWriter('rebalance', { producerSubtask: 1, producerP: 2, consumerP: 3 });
    for (let i = 0; i < 9; i++) rw.emit(i);
    expect(received).toEqual([
      [2, 5, 8],
      [0, 3, 6],
      [1, 4, 7],
    ]);
  });

  it('spreads any count evenly: channel sizes differ by at most one (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 11 }), fc.nat(500), (p, from, n) => {
        const { rw, received } = recordWriter('rebalance', { producerSubtask: from, producerP: 12, consumerP: p });
        for (let i = 0; i < n; i++) rw.emit(i);
        const sizes = received.map((l) => l.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(n);
      }),
    );
  });
});

describe('broadcast, forward and global partitioners', () => {
  it('broadcast delivers every record to every consumer', () => {
    const { rw, received, targets } = recordWriter('broadcast', { producerP: 1, consumerP: 4 });
    expect(targets).toEqual([0, 1, 2, 3]);
    for (let i = 0; i < 5; i++) rw.emit(i);
    expect(received).toEqual(Array.from({ length: 4 }, () => [0, 1, 2, 3, 4]));
  });

  it('forward connects subtask i to subtask i only and sends everything there', () => {
    expect(connectedConsumers('forward', 2, 4, 4)).toEqual([2]);
    const { rw, received } = recordWriter('forward', { producerSubtask: 2, producerP: 4, consumerP: 4 });
    for (let i = 0; i < 5; i++) rw.emit(i);
    expect(received).toEqual([[0, 1, 2, 3, 4]]);
  });

  it('global connects every consumer but sends every record to consumer 0', () => {
    for (let from = 0; from < 3; from++) expect(connectedConsumers('global', from, 3, 5)).toEqual([0, 1, 2, 3, 4]);
    const { rw, received } = recordWriter('global', { producerSubtask: 2, producerP: 3, consumerP: 5 });
    rw.emit('x');
    rw.emit('y');
    expect(received).toEqual([['x', 'y'], [], [], [], []]);
  });

  it('hash, rebalance and broadcast connect every producer to every consumer', () => {
    for (const kind of ['hash', 'rebalance', 'broadcast'] as const) {
      expect(connectedConsumers(kind, 1, 2, 3)).toEqual([0, 1, 2]);
    }
  });

  it('sends an event on every channel of the edge, after the records before it', () => {
    const received: string[][] = [[], [], []];
    const writers = received.map(
      (log) =>
        new ChannelWriter(
          { sendRecords: (r) => log.push(...r.map(String)), sendEvent: (e) => log.push(e.type) },
          1e9,
          100,
          () => {},
        ),
    );
    const rw = new RecordWriter('rebalance', writers, 0, 3, 128, undefined);
    for (let i = 0; i < 4; i++) rw.emit(i);
    rw.broadcastEvent(END_OF_PARTITION);
    expect(received).toEqual([
      ['0', '3', 'end-of-partition'],
      ['1', 'end-of-partition'],
      ['2', 'end-of-partition'],
    ]);
  });

  it('is unavailable while any of its channels waits for credit', () => {
    const writers = [0, 1].map((i) => new ChannelWriter({ sendRecords: () => {}, sendEvent: () => {} }, i === 0 ? 5 : 0, 1, () => {}));
    const rw = new RecordWriter('rebalance', writers, 0, 2, 128, undefined);
    rw.emit('a'); // channel 0
    expect(rw.isAvailable).toBe(true);
    rw.emit('b'); // channel 1 has no credit
    expect(rw.isAvailable).toBe(false);
    writers[1]!.grantCredits(1);
    expect(rw.isAvailable).toBe(true);
  });
});

describe('rescale connectivity', () => {
  const pairs = fc.tuple(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }));

  it('reaches every consumer from some producer, and every producer reaches some consumer (property)', () => {
    fc.assert(
      fc.property(pairs, ([pP, pC]) => {
        const reached = new Set<number>();
        for (let from = 0; from < pP; from++) {
          const targets = connectedConsumers('rescale', from, pP, pC);
          expect(targets.length).toBeGreaterThan(0);
          for (const t of targets) {
            expect(Number.isInteger(t) && t >= 0 && t < pC).toBe(true);
            reached.add(t);
          }
        }
        expect(reached.size).toBe(pC);
      }),
      { numRuns: 500 },
    );
  });

  it('connects each consumer to one producer when scaling up and each producer to one consumer when scaling down (property)', () => {
    fc.assert(
      fc.property(pairs, ([pP, pC]) => {
        const incoming = new Array<number>(pC).fill(0);
        for (let from = 0; from < pP; from++) {
          const targets = connectedConsumers('rescale', from, pP, pC);
          if (pP >= pC) expect(targets).toHaveLength(1);
          for (const t of targets) incoming[t]!++;
        }
        if (pP <= pC) expect(incoming.every((n) => n === 1)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('connects producers to contiguous, ordered runs of consumers', () => {
    expect([0, 1].map((from) => connectedConsumers('rescale', from, 2, 6))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect([0, 1, 2, 3, 4, 5].map((from) => connectedConsumers('rescale', from, 6, 2))).toEqual([[0], [0], [0], [1], [1], [1]]);
    expect([0, 1, 2].map((from) => connectedConsumers('rescale', from, 3, 3))).toEqual([[0], [1], [2]]);
  });

  it('deals records round-robin over the connected consumers only', () => {
    const { rw, received, targets } = recordWriter('rescale', { producerSubtask: 1, producerP: 2, consumerP: 4 });
    expect(targets).toEqual([2, 3]);
    for (let i = 0; i < 4; i++) rw.emit(i);
    // writer order follows connectedConsumers; the start is producerSubtask % channels
    expect(received).toEqual([
      [1, 3],
      [0, 2],
    ]);
  });
});
