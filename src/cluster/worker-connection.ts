/**
 * The coordinator's side of one worker thread: sends messages, matches answers to
 * requests by id, and rejects every pending request with a {@link WorkerExitedError}
 * when the thread dies, so no caller waits for an answer that cannot come. It also
 * owns the thread's graceful cancel with its watchdog, after which it gives the thread
 * back to its {@link WorkerPool} or ends it.
 */
import type { TransferListItem, Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerAnswer, WorkerRequest } from './protocol.js';
import { WorkerExitedError } from './worker-exited-error.js';
import type { WorkerPool } from './worker-pool.js';

/** How a worker's cancel ended. */
export type WorkerCancelOutcome = 'canceled' | 'already-ended' | 'ended-while-canceling' | 'terminated-by-watchdog';

interface PendingRequest {
  readonly type: WorkerRequest['type'];
  resolve(answer: WorkerAnswer): void;
  reject(error: WorkerExitedError): void;
}

/** One worker thread as the coordinator sees it. */
export class WorkerConnection {
  private nextRequestId = 0;
  private readonly pending = new Map<number, PendingRequest>();
  /** The thread exited, or was given back to the pool: nothing more is sent to it. */
  private ended = false;
  private crash: Error | undefined;
  private readonly detach: () => void;

  /**
   * @param worker - a thread taken from `pool` (given back after a clean cancel), or one of its own (ended after the cancel)
   * @param onMessage - every message that is not an answer to a request
   * @param onEnd - the thread crashed (`error`) or exited (`exitCode`), whoever ended it
   */
  constructor(
    readonly slot: number,
    readonly worker: Worker,
    onMessage: (message: FromWorker) => void,
    onEnd: (exitCode: number | undefined, error: Error | undefined) => void,
    private readonly pool?: WorkerPool,
  ) {
    const messageListener = (message: FromWorker) => {
      if (message.type === 'ready' || message.type === 'canceled') {
        const request = this.pending.get(message.requestId);
        this.pending.delete(message.requestId);
        request?.resolve(message);
        return;
      }
      onMessage(message);
    };
    // 'error' is followed by 'exit': remember the error, settle everything on 'exit'
    const errorListener = (error: Error) => {
      this.crash = error;
      onEnd(undefined, error);
    };
    const exitListener = (code: number) => {
      this.ended = true;
      const crash = this.crash;
      for (const [id, request] of this.pending) {
        this.pending.delete(id);
        request.reject(new WorkerExitedError(this.slot, request.type, crash ? undefined : code, crash ? { cause: crash } : undefined));
      }
      if (!crash) onEnd(code, undefined);
    };
    worker.on('message', messageListener);
    worker.on('error', errorListener);
    worker.on('exit', exitListener);
    this.detach = () => {
      worker.off('message', messageListener);
      worker.off('error', errorListener);
      worker.off('exit', exitListener);
    };
  }

  /** Whether the thread has exited (or was given back to the pool). */
  get hasEnded(): boolean {
    return this.ended;
  }

  /** Sends a message that needs no answer (dropped once the thread has ended). */
  post(message: ToWorker, transfer?: readonly TransferListItem[]): void {
    if (!this.ended) this.worker.postMessage(message, transfer as TransferListItem[] | undefined);
  }

  /**
   * Sends a request and waits for its answer.
   *
   * @throws {@link WorkerExitedError} (rejects) if the thread ends before answering
   */
  request<R extends WorkerRequest>(
    message: (requestId: number) => R,
    transfer?: readonly TransferListItem[],
  ): Promise<WorkerAnswer> {
    const requestId = this.nextRequestId++;
    const sent = message(requestId);
    if (this.ended) return Promise.reject(new WorkerExitedError(this.slot, sent.type, undefined));
    return new Promise<WorkerAnswer>((resolve, reject) => {
      this.pending.set(requestId, { type: sent.type, resolve, reject });
      this.worker.postMessage(sent, transfer as TransferListItem[] | undefined);
    });
  }

  /**
   * Asks the thread to cancel its tasks (operators' `close()`, keyed backends disposed)
   * and waits up to `timeoutMs` for its answer; a thread that does not answer in time
   * (stuck in user code) is terminated. A thread that canceled cleanly, with nothing of
   * the attempt left running in it, goes back to the pool; every other one is ended.
   * Either way nothing more is sent to it through this connection.
   */
  async cancel(timeoutMs: number): Promise<WorkerCancelOutcome> {
    if (this.ended) return 'already-ended';
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    let outcome: WorkerCancelOutcome;
    let reusable = false;
    try {
      const answer = await Promise.race([this.request((requestId) => ({ type: 'cancel', requestId })), watchdog]);
      outcome = answer === 'timeout' ? 'terminated-by-watchdog' : 'canceled';
      reusable = answer !== 'timeout' && answer.type === 'canceled' && answer.reusable;
    } catch (error) {
      if (!(error instanceof WorkerExitedError)) throw error;
      outcome = 'ended-while-canceling';
    } finally {
      clearTimeout(timer);
    }
    if (reusable && this.pool && !this.ended) {
      this.ended = true;
      this.detach();
      this.pool.release(this.worker);
    } else {
      // whatever user code left scheduled must not keep the thread
      await this.worker.terminate();
    }
    return outcome;
  }
}
