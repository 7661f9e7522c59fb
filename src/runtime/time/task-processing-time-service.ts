/**
 * The processing time service of one task. Callbacks wait in a queue ordered by time
 * (then by registration); when they are due they are posted to the task as mail, so
 * they run between two records, in that order. A real-time clock wakes the service with
 * one unref'd `setTimeout` for the earliest callback; a clock that can be subscribed to
 * (a test's `ManualClock`) wakes it whenever its time changes, and no real timer is used.
 */
import type { Clock, ProcessingTimeService, ScheduledCallback } from './processing-time-service.js';

interface Entry {
  readonly time: number;
  readonly seq: number;
  readonly callback: (time: number) => void | Promise<void>;
  /** queued (in the heap) → posted (mail) → done; or canceled. */
  state: 'queued' | 'posted' | 'done' | 'canceled';
}

/** The longest delay `setTimeout` accepts; later callbacks re-arm when it fires. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const NOTHING: ScheduledCallback = Object.freeze({ cancel() {} });

/** Processing time of one task: the clock's time and callbacks run as task mail. */
export class TaskProcessingTimeService implements ProcessingTimeService {
  /** A binary heap by (time, seq). */
  private heap: Entry[] = [];
  private seq = 0;
  private canceledInHeap = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private quiesced = false;
  private readonly unsubscribe: (() => void) | undefined;

  /**
   * @param post queues an action as the task's mail (and wakes the task)
   */
  constructor(
    private readonly clock: Clock,
    private readonly post: (action: () => void | Promise<void>) => void,
  ) {
    this.unsubscribe = clock.subscribe?.(() => this.fireDue());
  }

  getCurrentProcessingTime(): number {
    return this.clock.now();
  }

  registerTimer(time: number, callback: (time: number) => void | Promise<void>): ScheduledCallback {
    if (this.quiesced) return NOTHING;
    const entry: Entry = { time, seq: this.seq++, callback, state: 'queued' };
    this.push(entry);
    this.fireDue();
    return {
      cancel: () => {
        if (entry.state === 'posted') entry.state = 'canceled';
        if (entry.state !== 'queued') return;
        entry.state = 'canceled';
        this.canceledInHeap++;
        if (this.canceledInHeap > 1024 && this.canceledInHeap * 2 > this.heap.length) this.compact();
      },
    };
  }

  /** Callbacks waiting (not yet posted as mail), for tests. */
  get pendingCallbacks(): number {
    return this.heap.length - this.canceledInHeap;
  }

  /**
   * Stops for good: pending callbacks are dropped, callbacks already posted do not run,
   * and later registrations are ignored. Called when the task's input ends (as Flink, the
   * processing-time timers left then do not fire) and when it closes or is canceled.
   */
  quiesce(): void {
    if (this.quiesced) return;
    this.quiesced = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.heap = [];
    this.canceledInHeap = 0;
  }

  /** Posts every due callback, in order, then waits for the next one. */
  private fireDue(): void {
    if (this.quiesced) return;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0]!.time <= now) {
      const entry = this.pop();
      if (entry.state === 'canceled') {
        this.canceledInHeap--;
        continue;
      }
      entry.state = 'posted';
      this.post(() => {
        if (entry.state !== 'posted' || this.quiesced) return;
        entry.state = 'done';
        return entry.callback(entry.time);
      });
    }
    this.arm(now);
  }

  /** With a real-time clock, sets one timer for the earliest callback. */
  private arm(now: number): void {
    if (this.clock.subscribe) return;
    while (this.heap.length > 0 && this.heap[0]!.state === 'canceled') {
      this.pop();
      this.canceledInHeap--;
    }
    const next = this.heap[0];
    if (!next) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.timer && this.timerAt <= next.time) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next.time;
    // at least 1 ms: a clock coarser than the timer must not make it spin
    const delay = Math.min(MAX_TIMEOUT_MS, Math.max(1, Math.ceil(next.time - now)));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.fireDue();
    }, delay);
    this.timer.unref();
  }

  private compact(): void {
    const live = this.heap.filter((e) => e.state !== 'canceled');
    live.sort(compare);
    this.heap = live; // a sorted array is a valid heap
    this.canceledInHeap = 0;
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compare(heap[parent]!, entry) <= 0) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const child = r < heap.length && compare(heap[r]!, heap[l]!) < 0 ? r : l;
        if (compare(last, heap[child]!) <= 0) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function compare(a: Entry, b: Entry): number {
  return a.time !== b.time ? (a.time < b.time ? -1 : 1) : a.seq - b.seq;
}
