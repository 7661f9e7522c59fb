/**
 * Credit-based flow control on the producer side: a full batch goes out only against a
 * credit, otherwise it waits in the backlog and the writer reports itself unavailable.
 */
import { describe, expect, it } from 'vitest';
import { END_OF_PARTITION } from '../../src/runtime/io/channel-event.js';
import type { ChannelEvent } from '../../src/runtime/io/channel-event.js';
import { ChannelWriter } from '../../src/runtime/io/channel-writer.js';
import type { ChannelTransport } from '../../src/runtime/io/channel-writer.js';

type Sent = { records: unknown[] } | { event: ChannelEvent };

/** A transport that remembers what it was handed, in order. */
function recordingTransport(): ChannelTransport & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    sendRecords: (records) => sent.push({ records }),
    sendEvent: (event) => sent.push({ event }),
  };
}

function writer(credits: number, batchSize: number) {
  const transport = recordingTransport();
  let available = 0;
  const w = new ChannelWriter(transport, credits, batchSize, () => available++);
  return { w, sent: transport.sent, availableCalls: () => available };
}

describe('ChannelWriter', () => {
  it('sends nothing without credit, however many records are written', () => {
    const { w, sent } = writer(0, 4);
    for (let i = 0; i < 40; i++) w.write(i);
    w.flush();
    expect(sent).toEqual([]);
    expect(w.pendingRecords).toBe(40);
    expect(w.isAvailable).toBe(false);
  });

  it('keeps a partial batch until it is full or flushed', () => {
    const { w, sent } = writer(5, 4);
    w.write('a');
    w.write('b');
    w.write('c');
    expect(sent).toEqual([]);
    expect(w.pendingRecords).toBe(3);
    expect(w.isAvailable).toBe(true);
    w.write('d');
    expect(sent).toEqual([{ records: ['a', 'b', 'c', 'd'] }]);
    w.write('e');
    w.flush();
    expect(sent).toEqual([{ records: ['a', 'b', 'c', 'd'] }, { records: ['e'] }]);
    expect(w.pendingRecords).toBe(0);
  });

  it('spends one credit per batch, whatever its size, and then queues full batches in the backlog', () => {
    const { w, sent } = writer(2, 3);
    w.write(1);
    w.flush(); // a partial batch costs a credit too
    for (let i = 2; i <= 7; i++) w.write(i);
    expect(sent).toEqual([{ records: [1] }, { records: [2, 3, 4] }]);
    expect(w.isAvailable).toBe(false);
    expect(w.pendingRecords).toBe(3);
  });

  it('becomes unavailable as soon as one batch waits for a credit', () => {
    const { w } = writer(1, 2);
    w.write(1);
    w.write(2);
    expect(w.isAvailable).toBe(true);
    w.write(3);
    expect(w.isAvailable).toBe(true); // a partial batch is not backlog
    w.write(4);
    expect(w.isAvailable).toBe(false);
  });

  it('drains the backlog in order as credits arrive and keeps events after the data written before them', () => {
    const { w, sent, availableCalls } = writer(0, 2);
    w.write('a1');
    w.write('a2');
    w.write('b1');
    w.write('b2');
    w.write('c1'); // partial: flushed by writeEvent
    w.writeEvent(END_OF_PARTITION);
    expect(sent).toEqual([]);
    expect(w.pendingRecords).toBe(5);

    w.grantCredits(1);
    expect(sent).toEqual([{ records: ['a1', 'a2'] }]);
    expect(w.isAvailable).toBe(false);
    expect(availableCalls()).toBe(0);

    w.grantCredits(1);
    expect(sent).toEqual([{ records: ['a1', 'a2'] }, { records: ['b1', 'b2'] }]);
    expect(availableCalls()).toBe(0);

    w.grantCredits(1);
    // the event needs no credit of its own, but never overtakes the data before it
    expect(sent).toEqual([{ records: ['a1', 'a2'] }, { records: ['b1', 'b2'] }, { records: ['c1'] }, { event: END_OF_PARTITION }]);
    expect(w.isAvailable).toBe(true);
    expect(w.pendingRecords).toBe(0);
    expect(availableCalls()).toBe(1);
  });

  it('sends an event at once, without a credit, when nothing waits before it', () => {
    const { w, sent } = writer(0, 8);
    w.writeEvent(END_OF_PARTITION);
    expect(sent).toEqual([{ event: END_OF_PARTITION }]);
    expect(w.isAvailable).toBe(true);
  });

  it('puts a partial batch that cannot be sent before a later event', () => {
    const { w, sent } = writer(0, 8);
    w.write('x');
    w.writeEvent(END_OF_PARTITION);
    expect(sent).toEqual([]);
    w.grantCredits(1);
    expect(sent).toEqual([{ records: ['x'] }, { event: END_OF_PARTITION }]);
  });

  it('does not let new batches overtake the backlog once credits return', () => {
    const { w, sent } = writer(0, 1);
    w.write('first');
    w.grantCredits(1);
    w.write('second'); // backlog is empty again: goes out only with a credit
    expect(sent).toEqual([{ records: ['first'] }]);
    w.write('third');
    w.grantCredits(5);
    expect(sent.map((s) => ('records' in s ? s.records[0] : 'event'))).toEqual(['first', 'second', 'third']);
    w.write('fourth'); // 3 credits left: sent directly
    expect(sent).toHaveLength(4);
  });

  it('calls onAvailable once each time a blocked writer drains, and not when it was never blocked', () => {
    const { w, availableCalls } = writer(1, 1);
    w.grantCredits(3);
    expect(availableCalls()).toBe(0);
    for (let i = 0; i < 6; i++) w.write(i); // 4 credits, 2 batches wait
    expect(w.isAvailable).toBe(false);
    w.grantCredits(1);
    expect(availableCalls()).toBe(0);
    w.grantCredits(1);
    expect(availableCalls()).toBe(1);
    w.write(6);
    w.grantCredits(1);
    expect(availableCalls()).toBe(2);
  });

  it('accumulates surplus credits for later batches', () => {
    const { w, sent } = writer(0, 1);
    w.grantCredits(3);
    w.write(1);
    w.write(2);
    w.write(3);
    expect(sent).toHaveLength(3);
    w.write(4);
    expect(sent).toHaveLength(3);
    expect(w.isAvailable).toBe(false);
  });

  it('never has more batches outstanding than credits granted (model check)', () => {
    // a consumer that returns one credit per consumed buffer, driven in a fixed pseudo-random order
    const batchSize = 3;
    const initialCredits = 2;
    const transport = recordingTransport();
    const w = new ChannelWriter(transport, initialCredits, batchSize, () => {});
    let consumed = 0;
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let written = 0;
    for (let step = 0; step < 5000; step++) {
      if (rand() < 0.6) {
        w.write(written++);
      } else if (consumed < transport.sent.length) {
        consumed++;
        w.grantCredits(1);
      }
      const outstanding = transport.sent.length - consumed;
      expect(outstanding).toBeLessThanOrEqual(initialCredits);
      expect(w.pendingRecords).toBe(written - transport.sent.reduce((n, s) => n + ('records' in s ? s.records.length : 0), 0));
    }
    w.flush();
    while (consumed < transport.sent.length || !w.isAvailable) {
      consumed++;
      w.grantCredits(1);
    }
    const all = transport.sent.flatMap((s) => ('records' in s ? s.records : []));
    expect(all).toEqual(Array.from({ length: written }, (_, i) => i));
  });
});
