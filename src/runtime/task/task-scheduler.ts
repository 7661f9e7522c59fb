/**
 * Runs the tasks of one thread. Node gives each thread one event loop, so the tasks of
 * a thread take turns: each {@link StreamTask.step} is a bounded piece of work, and the
 * scheduler yields to the event loop every few milliseconds so that buffers and credits
 * posted by other threads arrive. When no task can move, it sleeps until a channel or a
 * credit wakes it (or a short timer, for sources that reported idle).
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isTaskEnded } from './stream-task.js';
import type { StreamTask } from './stream-task.js';

/** How often (ms) the scheduler lets the event loop run while tasks are busy. */
const YIELD_INTERVAL_MS = 4;
/** How long (ms) to sleep when every task is idle and nothing signals. */
const IDLE_POLL_MS = 5;

/** What the scheduler reports about its tasks. */
export interface SchedulerListener {
  taskFinished(task: StreamTask): void;
  taskFailed(task: StreamTask, error: unknown): void;
}

/** The task loop of one thread. */
export class TaskScheduler {
  private readonly tasks: StreamTask[] = [];
  private wake: (() => void) | undefined;
  private signaled = false;
  private stopped = false;

  constructor(private readonly listener: SchedulerListener) {}

  add(task: StreamTask): void {
    this.tasks.push(task);
  }

  /** Something may have become possible (data arrived, credits granted). */
  readonly signal = (): void => {
    this.signaled = true;
    const wake = this.wake;
    if (wake) {
      this.wake = undefined;
      wake();
    }
  };

  /** Cancels every task that has not ended and stops the loop. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signal();
    await Promise.all(this.tasks.map((t) => t.cancel()));
  }

  /** Runs until every task has finished, one has failed, or {@link stop} is called. */
  async run(): Promise<void> {
    let active = this.tasks.slice();
    let lastYield = performance.now();
    while (active.length > 0 && !this.stopped) {
      this.signaled = false;
      let busy = false;
      for (const task of active) {
        let result;
        try {
          result = task.step();
          if (result instanceof Promise) result = await result;
        } catch (error) {
          task.markFailed();
          this.listener.taskFailed(task, error);
          return;
        }
        if (this.stopped) return;
        if (result === 'busy') busy = true;
        else if (result === 'done') this.listener.taskFinished(task);
      }
      active = active.filter((t) => !isTaskEnded(t.status));
      const now = performance.now();
      if (!busy && !this.signaled) {
        await this.sleep();
        lastYield = performance.now();
      } else if (now - lastYield >= YIELD_INTERVAL_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, IDLE_POLL_MS);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
