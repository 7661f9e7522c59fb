/**
 * The consumer side: channels queue what their producers sent, the gate hands items out
 * round-robin over ready, unblocked channels, and tracks end-of-partition. Credits flow
 * back through each channel's `returnCredits`.
 */
import { describe, expect, it } from 'vitest';
import { END_OF_PARTITION } from '../../src/runtime/io/channel-event.js';
import { ChannelWriter } from '../../src/runtime/io/channel-writer.js';
import { InputGate } from '../../src/runtime/io/input-gate.js';
import type { ChannelItem, PolledItem } from '../../src/runtime/io/input-gate.js';

const records = (...r: unknown[]): ChannelItem => ({ kind: 'records', records: r });

/** A gate with `n` channels; credits returned per channel are counted. */
function gate(n: number) {
  let wakeups = 0;
  const g = new InputGate(() => wakeups++);
  const returned = new Array<number>(n).fill(0);
  const channels = Array.from({ length: n }, (_, i) => g.addChannel(0, i, (k) => (returned[i]! += k)));
  return { g, channels, returned, wakeups: () => wakeups };
}

/** Polls until empty, returning `channel:first record` labels. */
function drain(g: InputGate): string[] {
  const out: string[] = [];
  let p: PolledItem | undefined;
  while ((p = g.poll()) !== undefined) {
    out.push(p.item.kind === 'records' ? `${p.channelIndex}:${String(p.item.records[0])}` : `${p.channelIndex}:${p.item.kind}`);
  }
  return out;
}

describe('InputGate', () => {
  it('numbers channels in the order they are added and remembers edge and producer', () => {
    const g = new InputGate(() => {});
    const a = g.addChannel(3, 0, () => {});
    const b = g.addChannel(3, 1, () => {});
    const c = g.addChannel(4, 0, () => {});
    expect([a.index, b.index, c.index]).toEqual([0, 1, 2]);
    expect([c.edgeId, c.producerSubtask]).toEqual([4, 0]);
    expect(g.channels).toEqual([a, b, c]);
  });

  it('returns undefined when no channel has data', () => {
    const { g } = gate(3);
    expect(g.poll()).toBeUndefined();
  });

  it('hands out items round-robin over the channels that have data', () => {
    const { g, channels } = gate(3);
    for (const round of ['a', 'b', 'c']) for (const ch of channels) ch.push(records(`${round}${ch.index}`));
    expect(drain(g)).toEqual(['0:a0', '1:a1', '2:a2', '0:b0', '1:b1', '2:b2', '0:c0', '1:c1', '2:c2']);
  });

  it('keeps each channel in FIFO order and skips channels that ran dry', () => {
    const { g, channels } = gate(3);
    channels[0]!.push(records('x1'));
    channels[0]!.push(records('x2'));
    channels[0]!.push(records('x3'));
    channels[2]!.push(records('z1'));
    expect(drain(g)).toEqual(['0:x1', '2:z1', '0:x2', '0:x3']);
    channels[1]!.push(records('y1'));
    expect(drain(g)).toEqual(['1:y1']);
  });

  it('wakes its task only when a channel goes from empty to non-empty', () => {
    const { g, channels, wakeups } = gate(2);
    channels[0]!.push(records(1));
    channels[0]!.push(records(2));
    expect(wakeups()).toBe(1);
    channels[1]!.push(records(3));
    expect(wakeups()).toBe(2);
    drain(g);
    channels[0]!.push(records(4));
    expect(wakeups()).toBe(3);
  });

  it('holds back a blocked channel and resumes it, in order, after unblock', () => {
    const { g, channels } = gate(2);
    channels[0]!.push(records('a1'));
    channels[1]!.push(records('b1'));
    channels[0]!.push(records('a2'));
    g.block(0);
    channels[0]!.push(records('a3'));
    expect(drain(g)).toEqual(['1:b1']);
    channels[1]!.push(records('b2'));
    expect(drain(g)).toEqual(['1:b2']);
    g.unblock(0);
    expect(drain(g)).toEqual(['0:a1', '0:a2', '0:a3']);
  });

  it('queues data that arrives on a blocked, empty channel until it is unblocked', () => {
    const { g, channels } = gate(2);
    g.block(1);
    channels[1]!.push(records('late'));
    expect(g.poll()).toBeUndefined();
    g.unblock(1);
    expect(drain(g)).toEqual(['1:late']);
  });

  it('does not hand out a channel twice when it is blocked and unblocked before a poll', () => {
    const { g, channels } = gate(2);
    channels[0]!.push(records('a1'));
    g.block(0);
    g.unblock(0);
    g.unblock(0); // unblocking an unblocked channel is a no-op
    channels[1]!.push(records('b1'));
    expect(drain(g)).toEqual(['0:a1', '1:b1']);
  });

  it('hands out events in order with the records of their channel', () => {
    const { g, channels } = gate(1);
    channels[0]!.push(records('r1'));
    channels[0]!.push({ kind: 'event', event: END_OF_PARTITION });
    expect(drain(g)).toEqual(['0:r1', '0:event']);
  });

  it('reports all ended only once every channel delivered end-of-partition, counting each once', () => {
    const { g } = gate(3);
    expect(g.allEnded).toBe(false);
    g.markEnded(0);
    g.markEnded(0);
    g.markEnded(2);
    expect(g.allEnded).toBe(false);
    expect(g.channels.map((c) => c.ended)).toEqual([true, false, true]);
    g.markEnded(1);
    expect(g.allEnded).toBe(true);
  });

  it('keeps order and counts across many items (queue compaction)', () => {
    const { g, channels } = gate(1);
    const seen: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 37; i++) channels[0]!.push(records(next++));
      for (let i = 0; i < 30; i++) {
        const p = g.poll();
        if (!p) break;
        seen.push(p.item.kind === 'records' ? (p.item.records[0] as number) : -1);
      }
      expect(channels[0]!.queuedItems).toBe(next - seen.length);
    }
    for (const label of drain(g)) seen.push(Number(label.split(':')[1]));
    expect(seen).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it('passes returned credits to the producer of the channel', () => {
    const { channels, returned } = gate(3);
    channels[1]!.returnCredits(1);
    channels[1]!.returnCredits(2);
    channels[2]!.returnCredits(1);
    expect(returned).toEqual([0, 3, 1]);
  });

  it('lets a producer and a consumer connected by credits move every record, never queueing more than the credits', () => {
    // producer → in-thread transport → channel; the consumer returns a credit per buffer
    let available = 0;
    const g = new InputGate(() => {});
    let writer!: ChannelWriter;
    const channel = g.addChannel(0, 0, (n) => writer.grantCredits(n));
    writer = new ChannelWriter(
      {
        sendRecords: (r) => channel.push({ kind: 'records', records: r }),
        sendEvent: (e) => channel.push({ kind: 'event', event: e }),
      },
      2,
      4,
      () => available++,
    );
    const received: unknown[] = [];
    let produced = 0;
    let eventSent = false;
    let ended = false;
    while (!ended) {
      // produce while the writer is available, as a task does
      while (writer.isAvailable && produced < 100) writer.write(produced++);
      if (produced === 100 && writer.isAvailable && !eventSent) {
        writer.writeEvent(END_OF_PARTITION);
        eventSent = true;
      }
      expect(channel.queuedItems).toBeLessThanOrEqual(3); // 2 credits of data + the final event
      const p = g.poll();
      if (!p) throw new Error('stalled: no data queued although the producer is blocked');
      if (p.item.kind === 'event') {
        g.markEnded(p.channelIndex);
        ended = true;
      } else if (p.item.kind === 'records') {
        received.push(...p.item.records);
        channel.returnCredits(1);
      }
    }
    expect(g.allEnded).toBe(true);
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(available).toBeGreaterThan(0);
  });
});
