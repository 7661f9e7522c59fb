/**
 * Records that cross threads are encoded in batches (record-codec.ts); within a thread
 * they are passed by reference. Either way a record must arrive with the same value, or
 * a job's result would depend on where its subtasks happened to run.
 */
import { fileURLToPath } from 'node:url';
import { Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { runJob } from 'eddy';
import { decodeBatch, encodeBatch } from '../../src/runtime/io/record-codec.js';
import { CODEC_VALUES, describeValue } from '../jobs/runtime-codec.js';

const JOB = fileURLToPath(new URL('../jobs/runtime-codec.ts', import.meta.url));

const roundTrip = <T>(records: T[]): T[] => decodeBatch(new Uint8Array(encodeBatch(records))) as T[];

describe('record codec', () => {
  it.each(CODEC_VALUES.map(([name, value]) => [name, value] as const))('round-trips %s', (_name, value) => {
    const [out] = roundTrip([value]);
    expect(out).toStrictEqual(value);
    expect(describeValue(out)).toEqual(describeValue(value));
  });

  it('keeps undefined fields as own properties', () => {
    const [out] = roundTrip([{ a: undefined, b: 1 }]);
    expect(Object.keys(out!)).toEqual(['a', 'b']);
  });

  it('keeps key order of objects', () => {
    const [out] = roundTrip([{ z: 1, a: 2, m: 3 }]);
    expect(Object.keys(out!)).toEqual(['z', 'a', 'm']);
  });

  it('round-trips a batch of many records of many shapes in order', () => {
    const batch = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? { [`k${i % 97}`]: i, n: i } : i % 3 === 1 ? [i, `${i}`] : `s${i}`));
    expect(roundTrip(batch)).toStrictEqual(batch);
  });

  it('round-trips an empty batch', () => {
    expect(roundTrip([])).toEqual([]);
  });

  it('makes self-contained batches that a decoder which saw no earlier batch can read', () => {
    // each thread has its own decoder and hears from several producers, so record
    // structures must not be shared between batches
    encodeBatch([{ x: 1, y: 2 }]);
    const second = encodeBatch([{ x: 3, y: 4 }, { other: true }]);
    const fresh = new Unpackr({ useRecords: true, moreTypes: true, int64AsType: 'bigint' });
    expect(fresh.unpack(new Uint8Array(second))).toEqual([{ x: 3, y: 4 }, { other: true }]);
  });

  it('returns a fresh, transferable ArrayBuffer per batch', () => {
    const a = encodeBatch([1, 2, 3]);
    const b = encodeBatch([1, 2, 3]);
    expect(a).toBeInstanceOf(ArrayBuffer);
    expect(a).not.toBe(b);
    const copy = structuredClone(a, { transfer: [a] });
    expect(a.byteLength).toBe(0); // detached: it was ours to give away
    expect(decodeBatch(new Uint8Array(copy))).toEqual([1, 2, 3]);
  });

  it('turns class instances into plain objects with their own fields (documented)', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      norm() {
        return Math.hypot(this.x, this.y);
      }
    }
    const [out] = roundTrip([new Point(3, 4)]);
    expect(out).not.toBeInstanceOf(Point);
    expect(out).toEqual({ x: 3, y: 4 });
  });

  // The three differences below are documented in record-codec.ts: msgpackr is ~4x faster
  // than v8's structured serializer on object records, and these are the price.
  it('turns negative zero into zero (documented)', () => {
    const [out] = roundTrip([-0]);
    expect(Object.is(out, 0)).toBe(true);
  });

  it('replaces a lone surrogate in a string with U+FFFD characters (documented)', () => {
    const s = '😀'.slice(0, 1) + 'x';
    const out = roundTrip([s])[0] as string;
    expect(out).not.toBe(s);
    expect(out.endsWith('x')).toBe(true);
    expect(out.slice(0, -1).split('').every((c) => c === '\uFFFD')).toBe(true);
  });

  it('renames an own "__proto__" key and never pollutes a prototype (documented)', () => {
    const parsed = JSON.parse('{"__proto__": {"admin": true}, "name": "x"}') as object;
    const [out] = roundTrip([parsed]);
    expect(Object.keys(out!)).not.toContain('__proto__');
    expect((out as { name: string }).name).toBe('x');
    expect(({} as { admin?: boolean }).admin).toBeUndefined();
  });
});

describe('records crossing worker threads', () => {
  it('arrive with the same values and types as records passed within a thread', async () => {
    const result = await runJob(JOB, { execution: 'threads', slots: 2 });
    const out = result.output<{ i: number; subtask: number; value: unknown; description: unknown }>('out');
    expect(out).toHaveLength(2 * CODEC_VALUES.length);
    const byIndex = new Map(out.map((r) => [r.i, r]));
    CODEC_VALUES.forEach(([name, value], k) => {
      const local = byIndex.get(2 * k)!;
      const remote = byIndex.get(2 * k + 1)!;
      // rebalance from one source subtask alternates: even records stay in slot 0, odd ones cross to slot 1
      expect([local.subtask, remote.subtask], name).toEqual([0, 1]);
      expect(remote.description, name).toEqual(describeValue(value));
      expect(local.description, name).toEqual(describeValue(value));
      expect(remote.value, name).toStrictEqual(value);
    });
  });
});
