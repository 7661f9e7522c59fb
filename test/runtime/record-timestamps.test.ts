/**
 * Record timestamps travel beside their batch: a batch gets a timestamps array only when
 * one of its records has a timestamp, and the array survives encoding across threads.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChannelWriter } from '../../src/runtime/io/channel-writer.js';
import type { BatchTimestamps } from '../../src/runtime/io/channel-writer.js';
import { decodeBatch, decodeTimestamps, encodeBatch, encodeTimestamps } from '../../src/runtime/io/record-codec.js';

describe('timestamp codec', () => {
  it('round-trips timestamps, NaN for records without one', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.oneof(fc.integer(), fc.double({ noNaN: true })), { nil: undefined }), { maxLength: 600 }), (ts) => {
        const input = ts.map((t) => t ?? Number.NaN);
        const out = decodeTimestamps(encodeTimestamps(input));
        expect(Array.from(out)).toEqual(input);
      }),
    );
  });

  it('makes a fresh, transferable buffer of 8 bytes per record', () => {
    const buffer = encodeTimestamps([1, Number.NaN, 1_700_000_000_000]);
    expect(buffer.byteLength).toBe(24);
    const moved = structuredClone(buffer, { transfer: [buffer] });
    expect(Array.from(decodeTimestamps(moved))).toEqual([1, Number.NaN, 1_700_000_000_000]);
  });

  it('leaves the records encoding as it was: a batch without timestamps has no second buffer', () => {
    const records = [{ a: 1 }, 'x', [2, 3]];
    expect(decodeBatch(new Uint8Array(encodeBatch(records)))).toEqual(records);
  });
});

describe('ChannelWriter timestamps', () => {
  function writer(batchSize: number) {
    const sent: { records: unknown[]; timestamps: number[] | undefined }[] = [];
    const w = new ChannelWriter(
      {
        sendRecords: (records, timestamps?: BatchTimestamps) => sent.push({ records, timestamps: timestamps && Array.from(timestamps) }),
        sendEvent: () => {},
      },
      100,
      batchSize,
      () => {},
    );
    return { w, sent };
  }

  it('sends batches without timestamps when no record has one', () => {
    const { w, sent } = writer(3);
    for (let i = 0; i < 7; i++) w.write(i);
    w.flush();
    expect(sent).toEqual([
      { records: [0, 1, 2], timestamps: undefined },
      { records: [3, 4, 5], timestamps: undefined },
      { records: [6], timestamps: undefined },
    ]);
  });

  it('gives a batch timestamps from its first timestamped record on, NaN for the others, and starts the next batch without', () => {
    const { w, sent } = writer(4);
    w.write('a');
    w.write('b', 20);
    w.write('c');
    w.write('d', 40);
    w.write('e');
    w.flush();
    expect(sent).toEqual([
      { records: ['a', 'b', 'c', 'd'], timestamps: [Number.NaN, 20, Number.NaN, 40] },
      { records: ['e'], timestamps: undefined },
    ]);
  });

  it('keeps timestamps with batches that wait for credit', () => {
    const sent: { records: unknown[]; timestamps: number[] | undefined }[] = [];
    const w = new ChannelWriter(
      { sendRecords: (records, timestamps) => sent.push({ records, timestamps: timestamps && Array.from(timestamps) }), sendEvent: () => {} },
      0,
      2,
      () => {},
    );
    w.write(1, 100);
    w.write(2, 200);
    w.write(3);
    w.write(4);
    expect(sent).toEqual([]);
    w.grantCredits(2);
    expect(sent).toEqual([
      { records: [1, 2], timestamps: [100, 200] },
      { records: [3, 4], timestamps: undefined },
    ]);
  });
});
