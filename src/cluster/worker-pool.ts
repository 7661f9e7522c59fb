/**
 * The worker threads of the embedded local cluster, kept between attempts and jobs the
 * way Flink keeps its TaskManagers: starting a thread costs it the engine, the TypeScript
 * loader and the job module (about a second on a small machine), so a restart or the next
 * job takes an idle thread that already has them. A thread is only taken back when its
 * tasks were canceled cleanly and nothing the attempt started still runs in it; one that
 * crashed, was terminated or left a timer, socket or file operation behind is ended (an
 * `unref()`ed timer keeps nothing alive and cannot be seen: user code must clear its
 * timers in `close()`). Idle threads do not keep the
 * process alive, and end after {@link WorkerPoolOptions.idleTimeoutMs}.
 *
 * A job module is imported once per thread and kept, as a JVM keeps a loaded class: what a
 * job keeps in module-level variables is seen by the next attempt on the same thread.
 * State belongs in Eddy state, which checkpoints restore. Likewise a thread has the
 * environment data (`worker_threads.setEnvironmentData`) of the moment it started.
 */
import { availableParallelism } from 'node:os';
import { SHARE_ENV, Worker } from 'node:worker_threads';

/** Options of a {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** How long (ms) a thread may stay idle before it is ended. @default 30 000 */
  readonly idleTimeoutMs?: number;
  /** How many idle threads are kept at most. @default twice the available parallelism, at least 4 */
  readonly maxIdle?: number;
}

interface IdleWorker {
  readonly worker: Worker;
  readonly timer: NodeJS.Timeout;
  readonly onExit: () => void;
}

/** Worker threads running one entry module, handed out and taken back. */
export class WorkerPool {
  private readonly idle: IdleWorker[] = [];
  private readonly idleTimeoutMs: number;
  private readonly maxIdle: number;

  constructor(
    private readonly entry: URL,
    options: WorkerPoolOptions = {},
  ) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.maxIdle = options.maxIdle ?? Math.max(4, 2 * availableParallelism());
  }

  /** An idle thread, or a new one. The caller owns it until it gives it back with {@link release} or ends it. */
  acquire(): Worker {
    const kept = this.idle.pop();
    if (kept) {
      clearTimeout(kept.timer);
      kept.worker.off('exit', kept.onExit);
      kept.worker.ref();
      return kept.worker;
    }
    // SHARE_ENV: a thread that serves many jobs sees the environment as it is now, not as it was when it started
    return new Worker(this.entry, { stderr: false, stdout: false, env: SHARE_ENV });
  }

  /**
   * Takes back a thread whose deployment was canceled cleanly (it answered `canceled`,
   * reusable). The caller must have removed its own listeners.
   */
  release(worker: Worker): void {
    if (this.idle.length >= this.maxIdle) {
      void worker.terminate();
      return;
    }
    const onExit = () => this.forget(worker);
    const timer = setTimeout(() => {
      this.forget(worker);
      void worker.terminate();
    }, this.idleTimeoutMs);
    timer.unref();
    worker.on('exit', onExit);
    worker.unref();
    this.idle.push({ worker, timer, onExit });
  }

  /** Ends every idle thread (the pool stays usable). */
  async clear(): Promise<void> {
    const all = this.idle.splice(0);
    await Promise.all(
      all.map(({ worker, timer, onExit }) => {
        clearTimeout(timer);
        worker.off('exit', onExit);
        return worker.terminate();
      }),
    );
  }

  private forget(worker: Worker): void {
    const i = this.idle.findIndex((w) => w.worker === worker);
    if (i < 0) return;
    clearTimeout(this.idle[i]!.timer);
    this.idle.splice(i, 1);
  }
}

/** The pool of the embedded local cluster's worker threads in this process. */
export const localWorkerPool = new WorkerPool(new URL('./worker-main.js', import.meta.url));
