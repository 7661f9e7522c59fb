import { describe, expect, it } from 'vitest';
import {
  AlignedBarrierHandler,
  AtLeastOnceBarrierHandler,
} from '../../src/checkpoint/barrier/checkpoint-barrier-handler.js';
import type { BarrierHandlerHost } from '../../src/checkpoint/barrier/checkpoint-barrier-handler.js';
import type { CheckpointBarrier } from '../../src/checkpoint/barrier/checkpoint-barrier.js';

function barrier(id: number): CheckpointBarrier {
  return { type: 'barrier', checkpointId: id, timestamp: 0, options: { kind: 'checkpoint', mode: 'exactly-once' } };
}

function host(channels: number) {
  const log: string[] = [];
  const blocked = new Set<number>();
  const ended = new Set<number>();
  let clock = 0;
  const h: BarrierHandlerHost & { log: string[]; blocked: Set<number>; ended: Set<number>; tick(ms: number): void } = {
    channelCount: channels,
    isEnded: (c) => ended.has(c),
    block: (c) => {
      blocked.add(c);
    },
    unblock: (c) => {
      blocked.delete(c);
    },
    snapshot: (b, alignmentMs) => {
      log.push(`snapshot ${b.checkpointId} after ${alignmentMs} ms`);
    },
    abort: (id, reason) => {
      log.push(`abort ${id}: ${reason}`);
    },
    now: () => clock,
    log,
    blocked,
    ended,
    tick: (ms) => {
      clock += ms;
    },
  };
  return h;
}

describe('the aligned (exactly-once) barrier handler', () => {
  it('blocks each channel that delivered the barrier until all have, then snapshots and unblocks', async () => {
    const h = host(3);
    const handler = new AlignedBarrierHandler(h);
    await handler.onBarrier(0, barrier(1));
    expect([...h.blocked]).toEqual([0]);
    h.tick(5);
    await handler.onBarrier(2, barrier(1));
    expect([...h.blocked].sort()).toEqual([0, 2]);
    expect(h.log).toEqual([]);
    h.tick(7);
    await handler.onBarrier(1, barrier(1));
    expect(h.log).toEqual(['snapshot 1 after 12 ms']);
    expect(h.blocked.size).toBe(0);
    expect(handler.pendingCheckpointId).toBeUndefined();
  });

  it('snapshots at once with a single input channel', async () => {
    const h = host(1);
    await new AlignedBarrierHandler(h).onBarrier(0, barrier(4));
    expect(h.log).toEqual(['snapshot 4 after 0 ms']);
  });

  it('counts a channel that ended during alignment as aligned', async () => {
    const h = host(2);
    const handler = new AlignedBarrierHandler(h);
    await handler.onBarrier(0, barrier(1));
    h.ended.add(1);
    await handler.onChannelEnded(1);
    expect(h.log).toEqual(['snapshot 1 after 0 ms']);
  });

  it('does not wait for channels that had already ended', async () => {
    const h = host(3);
    h.ended.add(1);
    const handler = new AlignedBarrierHandler(h);
    await handler.onBarrier(0, barrier(2));
    await handler.onBarrier(2, barrier(2));
    expect(h.log).toEqual(['snapshot 2 after 0 ms']);
  });

  it('aborts the older checkpoint when a newer barrier arrives during alignment', async () => {
    const h = host(2);
    const handler = new AlignedBarrierHandler(h);
    await handler.onBarrier(0, barrier(1));
    await handler.onBarrier(1, barrier(2));
    expect(h.log[0]).toMatch(/^abort 1: barrier 2 arrived/);
    expect(handler.pendingCheckpointId).toBe(2);
    expect([...h.blocked]).toEqual([1]);
    await handler.onBarrier(0, barrier(2));
    expect(h.log.at(-1)).toBe('snapshot 2 after 0 ms');
    // the late barrier of the aborted checkpoint is ignored
    await handler.onBarrier(1, barrier(1));
    expect(h.log).toHaveLength(2);
  });

  it('aborts on a cancellation marker and ignores that checkpoint\'s later barriers', async () => {
    const h = host(2);
    const handler = new AlignedBarrierHandler(h);
    await handler.onBarrier(0, barrier(3));
    handler.onCancelMarker(1, { type: 'cancel-checkpoint', checkpointId: 3 });
    expect(h.log).toEqual(['abort 3: checkpoint 3 was canceled upstream']);
    expect(h.blocked.size).toBe(0);
    await handler.onBarrier(1, barrier(3));
    expect(h.log).toHaveLength(1);
  });

  it('aborts a checkpoint whose cancellation marker overtook its barrier, once', async () => {
    const h = host(2);
    const handler = new AlignedBarrierHandler(h);
    handler.onCancelMarker(0, { type: 'cancel-checkpoint', checkpointId: 5 });
    handler.onCancelMarker(1, { type: 'cancel-checkpoint', checkpointId: 5 });
    await handler.onBarrier(0, barrier(5));
    await handler.onBarrier(1, barrier(5));
    expect(h.log).toEqual(['abort 5: checkpoint 5 was canceled upstream']);
    await handler.onBarrier(0, barrier(6));
    await handler.onBarrier(1, barrier(6));
    expect(h.log.at(-1)).toBe('snapshot 6 after 0 ms');
  });
});

describe('the at-least-once barrier handler', () => {
  it('never blocks a channel and snapshots once every open channel delivered the barrier', async () => {
    const h = host(3);
    const handler = new AtLeastOnceBarrierHandler(h);
    await handler.onBarrier(1, barrier(1));
    await handler.onBarrier(0, barrier(1));
    expect(h.blocked.size).toBe(0);
    expect(h.log).toEqual([]);
    await handler.onBarrier(2, barrier(1));
    expect(h.log).toEqual(['snapshot 1 after 0 ms']);
  });

  it('aligns savepoint barriers (savepoints are always aligned), then goes back to not blocking', async () => {
    const h = host(3);
    const handler = new AtLeastOnceBarrierHandler(h);
    const savepoint: CheckpointBarrier = { ...barrier(1), options: { kind: 'savepoint', mode: 'at-least-once' } };
    await handler.onBarrier(0, savepoint);
    await handler.onBarrier(2, savepoint);
    expect([...h.blocked].sort()).toEqual([0, 2]);
    expect(h.log).toEqual([]);
    await handler.onBarrier(1, savepoint);
    expect(h.log).toEqual(['snapshot 1 after 0 ms']);
    expect(h.blocked.size).toBe(0);
    await handler.onBarrier(0, { ...barrier(2), options: { kind: 'checkpoint', mode: 'at-least-once' } });
    expect(h.blocked.size).toBe(0);
  });

  it('counts a repeated barrier on the same channel once', async () => {
    const h = host(2);
    const handler = new AtLeastOnceBarrierHandler(h);
    await handler.onBarrier(0, barrier(1));
    await handler.onBarrier(0, barrier(1));
    expect(h.log).toEqual([]);
    await handler.onBarrier(1, barrier(1));
    expect(h.log).toEqual(['snapshot 1 after 0 ms']);
  });
});
