import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Key } from '../../../src/core/key-encoding.js';
import { TimerQueue } from '../../../src/runtime/time/timer-queue.js';
import { VOID_NAMESPACE, type Namespace } from '../../../src/state/namespace.js';

type Op =
  | { type: 'add'; key: string; ns: number; ts: number }
  | { type: 'remove'; key: string; ns: number; ts: number }
  | { type: 'poll' };

const nsOf = (n: number): Namespace => (n === 0 ? VOID_NAMESPACE : ['w', n]);
const nsNumber = (ns: Namespace): number => (ns === VOID_NAMESPACE ? 0 : (ns as [string, number])[1]);

describe('TimerQueue', () => {
  it('behaves like a sorted list of unique timers ordered by time, then registration', () => {
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        type: fc.constant('add' as const),
        key: fc.constantFrom('a', 'b', 'c'),
        ns: fc.integer({ min: 0, max: 2 }),
        ts: fc.integer({ min: 0, max: 8 }),
      }),
      fc.record({
        type: fc.constant('remove' as const),
        key: fc.constantFrom('a', 'b', 'c'),
        ns: fc.integer({ min: 0, max: 2 }),
        ts: fc.integer({ min: 0, max: 8 }),
      }),
      fc.record({ type: fc.constant('poll' as const) }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const queue = new TimerQueue<string, Namespace>();
        const model: Array<{ id: string; ts: number; seq: number }> = [];
        let seq = 0;
        for (const op of ops) {
          if (op.type === 'poll') {
            model.sort((x, y) => x.ts - y.ts || x.seq - y.seq);
            const expected = model.shift();
            const got = queue.poll();
            expect(got === undefined ? undefined : `${got.key}/${nsNumber(got.namespace)}/${got.timestamp}`).toBe(expected?.id);
            continue;
          }
          const id = `${op.key}/${op.ns}/${op.ts}`;
          const at = model.findIndex((m) => m.id === id);
          if (op.type === 'add') {
            expect(queue.add(op.key, nsOf(op.ns), op.ts)).toBe(at < 0);
            if (at < 0) model.push({ id, ts: op.ts, seq: seq++ });
          } else {
            expect(queue.remove(op.key, nsOf(op.ns), op.ts)).toBe(at >= 0);
            if (at >= 0) model.splice(at, 1);
          }
          expect(queue.size).toBe(model.length);
          expect(queue.contains(op.key, nsOf(op.ns), op.ts)).toBe(op.type === 'add');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('treats keys, namespaces and times by their canonical identity', () => {
    const queue = new TimerQueue<Key, Namespace>();
    expect(queue.add(['t', 1], VOID_NAMESPACE, 1)).toBe(true);
    expect(queue.add(['t', 1], VOID_NAMESPACE, 1)).toBe(false); // an equal tuple is the same key
    expect(queue.add(1, VOID_NAMESPACE, 1)).toBe(true);
    expect(queue.add('1', VOID_NAMESPACE, 1)).toBe(true); // '1' is not 1
    expect(queue.add(1, [0, 10], 1)).toBe(true); // another namespace
    expect(queue.add(1, [0, 10], 0)).toBe(true);
    expect(queue.add(1, [0, 10], -0)).toBe(false); // -0 is 0
    expect(queue.size).toBe(5);
    expect(queue.remove(['t', 1], VOID_NAMESPACE, 1)).toBe(true);
    expect([...queue].map((t) => [t.key, t.timestamp])).toHaveLength(4);
  });
});
