/**
 * Sends a table of values through a rebalance from one source subtask to two map
 * subtasks, each value twice, so that (with 2 slots) one copy stays on the source's
 * thread (passed by reference) and the other crosses to the second thread (encoded).
 * The map describes what it received, in the thread that received it.
 */
import { RichMapFunction, Sinks, defineJob } from 'eddy';
import type { RuntimeContext } from 'eddy';

/** Values that records may hold (record-codec.ts), by name. */
export const CODEC_VALUES: ReadonlyArray<readonly [string, unknown]> = [
  ['plain object', { a: 1, b: 'two', c: true, d: null }],
  ['array', [1, 'two', false, null]],
  ['nested', { list: [{ x: [1, [2, [3]]] }, { y: { z: { deep: 'yes' } } }], empty: {}, none: [] }],
  ['unicode strings', ['', 'héllo', '日本語', '😀👍🏽', 'a\u0000b', 'e\u0301', 'x'.repeat(70_000)]],
  ['numbers', [0, 1, -1, 0.1, 1e300, -1e-300, 2 ** 31, 2 ** 32 + 1, 2 ** 53 + 2, -(2 ** 60), NaN, Infinity, -Infinity]],
  ['bigints', [0n, -1n, 2n ** 31n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 200n, -(2n ** 100n)]],
  ['booleans and null', [true, false, null]],
  ['undefined fields', { present: 1, missing: undefined, nested: { alsoMissing: undefined } }],
  ['undefined in arrays', [undefined, null, undefined]],
  ['map', new Map<unknown, unknown>([['k', 1], [2, 'two'], [3n, [3]], [true, { t: 1 }]])],
  ['map with object keys', new Map([[{ id: 1 }, 'one']])],
  ['set', new Set<unknown>([1, 'a', 2n, null])],
  ['map in set in object', { s: new Set([new Map([['inner', new Set([1, 2])]])]) }],
  ['dates', [new Date(0), new Date(1_700_000_000_123), new Date(-1), new Date(-62_135_596_800_000), new Date(8.64e15)]],
  ['invalid date', new Date(Number.NaN)],
  ['Uint8Array', new Uint8Array([0, 1, 255])],
  ['Int8Array', new Int8Array([-128, 0, 127])],
  ['Uint16Array', new Uint16Array([0, 65535])],
  ['Int32Array', new Int32Array([-(2 ** 31), 2 ** 31 - 1])],
  ['Uint32Array', new Uint32Array([2 ** 32 - 1])],
  ['Float32Array', new Float32Array([0.5, -1.25])],
  ['Float64Array', new Float64Array([Math.PI, -0.1])],
  ['BigInt64Array', new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])],
  ['BigUint64Array', new BigUint64Array([2n ** 64n - 1n])],
  ['Uint8ClampedArray', new Uint8ClampedArray([0, 255])],
  ['typed array view with an offset', new Float64Array([1, 2, 3, 4]).subarray(1, 3)],
  ['object with numeric and odd keys', { 1: 'one', '': 'empty', 'with space': 2, 'ключ': 3 }],
];

/** A structural description of a value, computed where it is received. */
export function describeValue(v: unknown): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) return ['Array', v.length, ...v.map(describeValue)];
  if (v instanceof Map) return ['Map', [...v].map(([k, x]) => [describeValue(k), describeValue(x)])];
  if (v instanceof Set) return ['Set', [...v].map(describeValue)];
  if (v instanceof Date) return ['Date', v.getTime()];
  if (ArrayBuffer.isView(v)) return [v.constructor.name, v.byteLength];
  if (typeof v === 'object') return ['Object', Object.entries(v as object).map(([k, x]) => [k, describeValue(x)])];
  if (typeof v === 'number') return Object.is(v, -0) ? 'number:-0' : `number:${v}`;
  return `${typeof v}:${String(v)}`;
}

class Describe extends RichMapFunction<{ i: number; value: unknown }, unknown> {
  private subtask = -1;
  override open(ctx: RuntimeContext): void {
    this.subtask = ctx.getIndexOfThisSubtask();
  }
  map(r: { i: number; value: unknown }) {
    return { i: r.i, subtask: this.subtask, value: r.value, description: describeValue(r.value) };
  }
}

export default defineJob((env) => {
  const records = CODEC_VALUES.flatMap((_, k) => [2 * k, 2 * k + 1]).map((i) => ({ i, value: CODEC_VALUES[i >> 1]![1] }));
  env
    .fromCollection(records)
    .map(new Describe())
    .setParallelism(2)
    .sinkTo(Sinks.collect('out'))
    .setParallelism(2);
});
