/**
 * What a task does with the checkpoint barriers arriving on its input channels. One
 * implementation per checkpointing mode: {@link AlignedBarrierHandler} (exactly-once)
 * blocks channels during alignment, {@link AtLeastOnceBarrierHandler} only counts
 * barriers (but aligns savepoints, which are always aligned); an unaligned handler will
 * sit beside them.
 */
import type { CancelCheckpointMarker, CheckpointBarrier } from './checkpoint-barrier.js';

/** What a barrier handler needs from its task. */
export interface BarrierHandlerHost {
  /** Number of input channels. */
  readonly channelCount: number;
  /** True once a channel has delivered end-of-partition. */
  isEnded(channel: number): boolean;
  /** Stops reading a channel (its data stays queued). */
  block(channel: number): void;
  unblock(channel: number): void;
  /**
   * Every open channel delivered barrier n: take the snapshot and forward the barrier.
   * @param alignmentMs time from the first to the last barrier
   */
  snapshot(barrier: CheckpointBarrier, alignmentMs: number): void | Promise<void>;
  /** Checkpoint n is abandoned here: tell the coordinator and forward a cancel marker. */
  abort(checkpointId: number, reason: string): void;
  /** Milliseconds, for alignment times. */
  now(): number;
}

/** Decides, per arriving barrier, marker or channel end, when a task snapshots. */
export interface CheckpointBarrierHandler {
  onBarrier(channel: number, barrier: CheckpointBarrier): void | Promise<void>;
  onCancelMarker(channel: number, marker: CancelCheckpointMarker): void;
  /** A channel delivered end-of-partition; it may complete an alignment. */
  onChannelEnded(channel: number): void | Promise<void>;
  /** The checkpoint being aligned, if any. */
  readonly pendingCheckpointId: number | undefined;
}

/** Shared bookkeeping: which channels delivered the current barrier. */
export abstract class BarrierCounter implements CheckpointBarrierHandler {
  protected current: CheckpointBarrier | undefined;
  /** Highest checkpoint id this task has seen (completed, aborted or pending). */
  protected latestSeen = 0;
  protected readonly arrived: boolean[];
  protected arrivedCount = 0;
  protected firstArrival = 0;
  private readonly blocked: number[] = [];

  constructor(protected readonly host: BarrierHandlerHost) {
    this.arrived = new Array<boolean>(host.channelCount).fill(false);
  }

  get pendingCheckpointId(): number | undefined {
    return this.current?.checkpointId;
  }

  onBarrier(channel: number, barrier: CheckpointBarrier): void | Promise<void> {
    const id = barrier.checkpointId;
    if (id < this.latestSeen || (id === this.latestSeen && this.current === undefined)) return; // obsolete
    if (this.current && id > this.current.checkpointId) {
      // a newer barrier overtakes the one being aligned: the older checkpoint can never complete
      this.abortCurrent(`barrier ${id} arrived before alignment of ${this.current.checkpointId} finished`);
    }
    if (!this.current) this.start(barrier);
    if (!this.arrived[channel]) {
      this.arrived[channel] = true;
      this.arrivedCount++;
      if (this.aligns(this.current!)) {
        this.host.block(channel);
        this.blocked.push(channel);
      }
    }
    return this.completeIfAligned();
  }

  onCancelMarker(_channel: number, marker: CancelCheckpointMarker): void {
    const id = marker.checkpointId;
    if (this.current?.checkpointId === id) {
      this.abortCurrent(`checkpoint ${id} was canceled upstream`);
    } else if (id > this.latestSeen) {
      // canceled before its barrier reached us: skip it when it comes
      this.latestSeen = id;
      this.host.abort(id, `checkpoint ${id} was canceled upstream`);
    }
  }

  onChannelEnded(_channel: number): void | Promise<void> {
    return this.current ? this.completeIfAligned() : undefined;
  }

  /** Whether channels that delivered `barrier` wait for the others (alignment). */
  protected abstract aligns(barrier: CheckpointBarrier): boolean;

  private start(barrier: CheckpointBarrier): void {
    this.current = barrier;
    this.latestSeen = barrier.checkpointId;
    this.firstArrival = this.host.now();
  }

  private completeIfAligned(): void | Promise<void> {
    const barrier = this.current!;
    for (let c = 0; c < this.arrived.length; c++) {
      if (!this.arrived[c] && !this.host.isEnded(c)) return;
    }
    const alignmentMs = this.host.now() - this.firstArrival;
    this.reset();
    return this.host.snapshot(barrier, alignmentMs);
  }

  private abortCurrent(reason: string): void {
    const id = this.current!.checkpointId;
    this.reset();
    this.host.abort(id, reason);
  }

  private reset(): void {
    for (const c of this.blocked) this.host.unblock(c);
    this.blocked.length = 0;
    this.current = undefined;
    this.arrived.fill(false);
    this.arrivedCount = 0;
  }
}

/** Exactly-once: a channel that delivered barrier n is blocked until all open channels have. */
export class AlignedBarrierHandler extends BarrierCounter {
  protected aligns(): boolean {
    return true;
  }
}

/**
 * At-least-once: no blocking; the snapshot is taken once every open channel delivered
 * barrier n. Savepoints are the exception: they are always aligned (DESIGN §6).
 */
export class AtLeastOnceBarrierHandler extends BarrierCounter {
  protected aligns(barrier: CheckpointBarrier): boolean {
    return barrier.options.kind === 'savepoint';
  }
}
