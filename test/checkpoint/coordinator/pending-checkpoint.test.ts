/** The lifecycle of one checkpoint, pending → completed | aborted, and its slot. */
import { describe, expect, it } from 'vitest';
import { PendingCheckpoint } from '../../../src/checkpoint/pending-checkpoint.js';
import type { SavepointRequest } from '../../../src/checkpoint/pending-checkpoint.js';
import { ack, TASKS } from './support.js';

function pending(savepoint?: SavepointRequest) {
  const timeout = { canceled: 0, cancel() { this.canceled++; } };
  const barrier = { type: 'barrier' as const, checkpointId: 7, timestamp: 0, options: { kind: savepoint ? ('savepoint' as const) : ('checkpoint' as const), mode: 'exactly-once' as const } };
  return { p: new PendingCheckpoint(7, barrier, false, undefined, savepoint, TASKS.length, timeout), timeout };
}

const request: SavepointRequest = { directory: '/sp/savepoint-abcdef-000000000001', resolve() {}, reject() {} };

describe('PendingCheckpoint', () => {
  it('ends once: completed or aborted, never both, and cancels its timeout when it ends', () => {
    const a = pending();
    a.p.markCompleted();
    expect(a.p.status).toBe('completed');
    expect(a.timeout.canceled).toBe(1);
    expect(() => a.p.markAborted()).toThrow('checkpoint 7 cannot become aborted: it is completed already');
    const b = pending();
    b.p.markAborted();
    expect(() => b.p.markCompleted()).toThrow('checkpoint 7 cannot become completed: it is aborted already');
    expect(() => b.p.acknowledge(ack(7, TASKS[0]))).toThrow('checkpoint 7 cannot be acknowledged: it is aborted already');
  });

  it('reports the acknowledgement that completes the set once, also when a task acknowledges twice', () => {
    const { p } = pending();
    expect(p.acknowledge(ack(7, TASKS[0]))).toBe(false);
    expect(p.acknowledge(ack(7, TASKS[0]))).toBe(false);
    expect(p.acknowledge(ack(7, TASKS[1]))).toBe(true);
    expect(p.acknowledge(ack(7, TASKS[1]))).toBe(false);
    expect(p.fullyAcknowledged).toBe(true);
  });

  it('holds a slot until it ends, except a fully acknowledged savepoint, whose barriers are through', () => {
    const checkpoint = pending().p;
    const savepoint = pending(request).p;
    for (const p of [checkpoint, savepoint]) for (const task of TASKS) p.acknowledge(ack(7, task));
    expect(checkpoint.holdsSlot).toBe(true);
    expect(savepoint.holdsSlot).toBe(false);
    checkpoint.markCompleted();
    expect(checkpoint.holdsSlot).toBe(false);
  });
});
