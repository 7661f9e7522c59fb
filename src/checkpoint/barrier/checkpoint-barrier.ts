/**
 * The checkpoint events that travel in-band with the records (DESIGN §5): barrier n and
 * the marker that cancels checkpoint n. They belong to the checkpoint layer, which
 * triggers and handles them; the runtime's channels carry them as {@link ChannelEvent}s
 * (`runtime/io/channel-event.ts`) without knowing more than their `type`.
 */

/** How a checkpoint is taken. */
export interface CheckpointOptions {
  /** `'savepoint'` checkpoints are always aligned and full. */
  readonly kind: 'checkpoint' | 'savepoint';
  /** Exactly-once blocks channels during alignment; at-least-once only counts barriers. */
  readonly mode: 'exactly-once' | 'at-least-once';
  /** Savepoints: the directory the state files go to (absolute); checkpoints use the job's checkpoint storage. */
  readonly targetDirectory?: string;
  /**
   * The latest completed checkpoint the coordinator had told the tasks about when it
   * triggered this one: an incremental backend may refer to that checkpoint's files even
   * if its completion notice has not reached the task yet (it comes by another route),
   * and to no older checkpoint's.
   */
  readonly lastCompletedCheckpointId?: number;
}

/** Checkpoint barrier n: everything before it on a channel belongs to checkpoint n. */
export interface CheckpointBarrier {
  readonly type: 'barrier';
  readonly checkpointId: number;
  /** When the coordinator triggered the checkpoint (ms since the epoch). */
  readonly timestamp: number;
  readonly options: CheckpointOptions;
}

/** Checkpoint n was abandoned upstream; abort it here and pass the marker on. */
export interface CancelCheckpointMarker {
  readonly type: 'cancel-checkpoint';
  readonly checkpointId: number;
}
