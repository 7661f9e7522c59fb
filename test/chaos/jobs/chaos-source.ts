/**
 * The input of a chaos job: the records of its shape, read by each source subtask in a
 * contiguous range at `rate` records per ms, holding after `holdAt` records of its range
 * until a checkpoint taken there completes (the {@link CheckpointGate} chained behind the
 * source opens the hold), so that the first fault comes after a restorable checkpoint.
 *
 * Eddy triggers no checkpoint once any task has ended its input, so a subtask that reached
 * the end of its range waits (idle) until every subtask has passed its hold, noted as
 * files in `holdDir` (subtasks may run in different threads): otherwise a subtask still
 * holding would wait forever. A restored reader neither holds nor waits: a checkpoint
 * exists already.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RichMapFunction } from 'eddy';
import type {
  CheckpointedFunction,
  CheckpointListener,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  PollStatus,
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
} from 'eddy';
import { chaosEvent, subtaskRange } from './chaos-shape.js';
import type { ChaosEvent, ChaosShape } from './chaos-shape.js';

/** Where a source subtask holds; the {@link CheckpointGate} chained behind it opens it (readers hear of no checkpoint). */
interface Gate {
  reached: boolean;
  coveringCheckpoint: number | undefined;
  open: boolean;
}

/** This thread's gates by subtask; each reader makes a fresh one, so no earlier attempt's is used. */
const gates = new Map<number, Gate>();

/** The input of a shape, split in contiguous ranges, throttled, holding at `holdAt`. */
export class ChaosSource implements Source<ChaosEvent> {
  readonly boundedness = 'bounded' as const;

  constructor(
    private readonly shape: ChaosShape,
    private readonly rate: number,
    private readonly holdAt: number,
    private readonly holdDir: string,
  ) {}

  createReader(ctx: SourceReaderContext): SourceReader<ChaosEvent> {
    const { shape, rate } = this;
    const [start, end] = subtaskRange(shape.records, ctx.parallelism, ctx.subtaskIndex);
    const hold = Math.min(end, start + this.holdAt);
    const gate: Gate = { reached: false, coveringCheckpoint: undefined, open: false };
    gates.set(ctx.subtaskIndex, gate);
    const { holdDir } = this;
    const passedFile = join(holdDir, `passed-${ctx.subtaskIndex}`);
    const everyonePassed = () => readdirSync(holdDir).filter((n) => n.startsWith('passed-')).length >= ctx.parallelism;
    let next = start;
    let started: number | undefined;
    let emitted = 0;
    let restored = false;
    let passed = false;
    return {
      poll(out: SourceOutput<ChaosEvent>, maxRecords: number): PollStatus {
        if (!restored && next === hold && !passed) {
          if (!gate.open) {
            gate.reached = true;
            return 'idle';
          }
          mkdirSync(holdDir, { recursive: true });
          writeFileSync(passedFile, '');
          passed = true;
        }
        if (next >= end) return restored || everyonePassed() ? 'end' : 'idle';
        let allowed = next < hold ? Math.min(maxRecords, hold - next) : maxRecords;
        if (rate > 0) {
          started ??= Date.now();
          allowed = Math.min(allowed, Math.floor((Date.now() - started + 1) * rate) - emitted);
          if (allowed <= 0) return 'idle';
        }
        const stop = Math.min(end, next + allowed);
        emitted += stop - next;
        for (; next < stop; next++) out.collect(chaosEvent(shape, next), next);
        return 'more';
      },
      snapshotPosition: () => next,
      restorePosition(position: unknown) {
        next = position as number;
        restored = true;
      },
    };
  }
}

/** Opens its subtask's {@link Gate} when a checkpoint taken while the source held completes. */
export class CheckpointGate extends RichMapFunction<ChaosEvent, ChaosEvent> implements CheckpointedFunction, CheckpointListener {
  private subtask = 0;

  initializeState(ctx: FunctionInitializationContext): void {
    this.subtask = ctx.getRuntimeContext().getIndexOfThisSubtask();
  }

  snapshotState(ctx: FunctionSnapshotContext): void {
    const gate = gates.get(this.subtask);
    if (gate?.reached && gate.coveringCheckpoint === undefined) gate.coveringCheckpoint = ctx.getCheckpointId();
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const gate = gates.get(this.subtask);
    if (gate?.coveringCheckpoint !== undefined && checkpointId >= gate.coveringCheckpoint) gate.open = true;
  }

  map(e: ChaosEvent): ChaosEvent {
    return e;
  }
}
