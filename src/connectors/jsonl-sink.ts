/**
 * Writes records as JSON lines into part files under a directory (DESIGN §8), exactly
 * once: a {@link TwoPhaseCommittingSink} whose writers fill hidden files and whose
 * committer renames them to `part-….jsonl` when the checkpoint covering them completes
 * (or, without checkpointing, when the job ends). docs/SINKS.md has the full story.
 */
import { mkdirSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';
import type { CommitterContext, SinkWriterContext, TwoPhaseCommittingSink } from '../runtime/sink.js';
import { JsonlCommitter } from './jsonl-committer.js';
import { jobTag } from './jsonl-part-file.js';
import type { JsonlCommittable } from './jsonl-part-file.js';
import { JsonlSinkWriter } from './jsonl-sink-writer.js';

export type { JsonlCommittable } from './jsonl-part-file.js';

/** Options of {@link JsonlSink}. */
export interface JsonlSinkOptions {
  /**
   * Roll to a new part file once the current one reaches this many bytes (a file ends
   * with the record that crosses the limit). @default 134217728 (128 MiB)
   */
  readonly maxFileBytes?: number;
}

/** Default of {@link JsonlSinkOptions.maxFileBytes}. */
const DEFAULT_MAX_FILE_BYTES = 128 * 1024 * 1024;

/** An exactly-once sink of JSON-lines files (`Sinks.jsonl(dir)`). */
export class JsonlSink<T> implements TwoPhaseCommittingSink<T, JsonlCommittable> {
  readonly name: string;
  /** The validated {@link JsonlSinkOptions.maxFileBytes}. */
  readonly maxFileBytes: number;

  /** @throws {@link ConfigError} when an option is invalid. */
  constructor(
    readonly directory: string,
    options: JsonlSinkOptions = {},
  ) {
    this.name = `JSONL(${directory})`;
    const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (!Number.isSafeInteger(maxFileBytes) || maxFileBytes < 1) {
      throw new ConfigError(`sink '${this.name}': maxFileBytes must be a positive integer, got ${String(options.maxFileBytes)}`);
    }
    this.maxFileBytes = maxFileBytes;
  }

  /** Creates the directory if needed and a writer for one parallel instance. */
  createWriter(ctx: SinkWriterContext): JsonlSinkWriter<T> {
    mkdirSync(this.directory, { recursive: true });
    return new JsonlSinkWriter<T>({
      directory: this.directory,
      sinkName: this.name,
      maxFileBytes: this.maxFileBytes,
      jobTag: jobTag(ctx.jobId),
      attempt: ctx.attemptNumber,
      subtask: ctx.subtaskIndex,
      parallelism: ctx.parallelism,
    });
  }

  /** Creates the committer that makes pending files visible. */
  createCommitter(ctx: CommitterContext): JsonlCommitter {
    return new JsonlCommitter({
      directory: this.directory,
      sinkName: this.name,
      jobTag: jobTag(ctx.jobId),
      attempt: ctx.attemptNumber,
    });
  }
}
