/**
 * The writer of one parallel instance of {@link JsonlSink}: first phase of the two-phase
 * commit. Records go into a hidden in-progress file; a roll or a checkpoint barrier turns
 * it into a durable, still hidden pending file, which the committer makes visible later.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { CommittingSinkWriter } from '../runtime/sink.js';
import { toJsonLine } from './json-line.js';
import { fsyncDirectory, partFileName } from './jsonl-part-file.js';
import { claimRunMarker, releaseRunMarker } from './jsonl-run-marker.js';
import type { JsonlCommittable, JsonlPartId } from './jsonl-part-file.js';
import { toStorageError } from '../core/storage-error-advice.js';

/** Where a {@link JsonlSinkWriter} writes, and who it is. */
export interface JsonlSinkWriterConfig {
  readonly directory: string;
  /** The sink's name, for messages. */
  readonly sinkName: string;
  readonly maxFileBytes: number;
  /** {@link jobTag} of the job id. */
  readonly jobTag: string;
  readonly attempt: number;
  readonly subtask: number;
  readonly parallelism: number;
}

/** A pending file not yet handed out by `prepareCommit`. */
type PendingPart = Omit<JsonlCommittable, 'version' | 'checkpointId'>;

/** Buffered lines are written to the file in chunks of about this many bytes. */
const WRITE_CHUNK = 64 * 1024;

/**
 * Writes JSON lines into hidden part files and hands them out as
 * {@link JsonlCommittable}s. Files are opened on the first record after a roll or a
 * `prepareCommit`, so an idle interval leaves no empty file and no committable.
 */
export class JsonlSinkWriter<T> implements CommittingSinkWriter<T, JsonlCommittable> {
  private fd: number | undefined;
  private current: JsonlPartId | undefined;
  private nextCounter = 0;
  private fileBytes = 0;
  private fileRecords = 0;
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private bufferedRecords = 0;
  /** Rolled files, pending on disk, for the next `prepareCommit`. */
  private rolled: PendingPart[] = [];
  /** Whether this writer has made sure the directory's run marker names this process. */
  private marked = false;

  constructor(private readonly config: JsonlSinkWriterConfig) {}

  /** Buffers one record as a line; rolls to a new file once the current one reaches `maxFileBytes`. */
  write(record: T): void {
    const line = toJsonLine(record) + '\n';
    this.buffer.push(line);
    this.bufferedBytes += Buffer.byteLength(line, 'utf8');
    this.bufferedRecords++;
    if (this.fileBytes + this.bufferedBytes >= this.config.maxFileBytes) {
      this.writeBuffer();
      this.roll();
    } else if (this.bufferedBytes >= WRITE_CHUNK) {
      this.writeBuffer();
    }
  }

  /**
   * Writes buffered lines to the in-progress file. Makes nothing visible, not even at the
   * end of input: that is `prepareCommit`'s and the committer's job.
   */
  flush(_endOfInput: boolean): void {
    this.writeBuffer();
  }

  /**
   * Makes every record written so far durable in pending files (fsync of each file, then
   * of the directory) and returns one committable per pending file; `[]` when nothing was
   * written since the last call.
   */
  prepareCommit(checkpointId: number): readonly JsonlCommittable[] {
    this.writeBuffer();
    this.roll();
    if (this.rolled.length === 0) return [];
    fsyncDirectory(this.config.directory); // the renames to pending must survive a crash
    const directory = resolve(this.config.directory);
    const committables = this.rolled.map((part): JsonlCommittable => ({ version: 1, checkpointId, ...part, directory }));
    this.rolled = [];
    return committables;
  }

  /**
   * Closes the open file without making anything pending or visible: after a cancel or a
   * failure only hidden files remain, and records not yet written are dropped (they are
   * replayed from the restored checkpoint). The run marker goes when no hidden file of
   * this job is left (see {@link releaseRunMarker}).
   */
  close(): void {
    this.buffer = [];
    this.bufferedBytes = 0;
    this.bufferedRecords = 0;
    this.fileBytes = 0;
    this.fileRecords = 0;
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      this.current = undefined;
      closeSync(fd);
    }
    if (this.marked) releaseRunMarker(this.config.directory, this.config.jobTag);
  }

  private writeBuffer(): void {
    if (this.buffer.length === 0) return;
    if (this.fd === undefined) this.openNext();
    const data = Buffer.from(this.buffer.join(''), 'utf8');
    const records = this.bufferedRecords;
    this.buffer = [];
    this.bufferedBytes = 0;
    this.bufferedRecords = 0;
    let offset = 0;
    try {
      while (offset < data.length) offset += writeSync(this.fd!, data, offset);
    } catch (error) {
      const { directory, sinkName } = this.config;
      throw toStorageError(error, join(directory, partFileName(this.current!, 'inprogress')), `write sink '${sinkName}' to`, "the sink's directory");
    }
    this.fileBytes += data.length;
    this.fileRecords += records;
  }

  private openNext(): void {
    const { directory, jobTag, attempt, subtask, sinkName, parallelism } = this.config;
    if (!this.marked) {
      // before the first hidden file: a later run must be able to tell whether its writer is alive
      claimRunMarker(directory, jobTag, sinkName);
      this.marked = true;
    }
    const id: JsonlPartId = { jobTag, attempt, subtask, counter: this.nextCounter };
    const name = partFileName(id, 'inprogress');
    const taken = (file: string, cause?: unknown) =>
      new ConfigError(
        `sink '${sinkName}' (subtask ${subtask + 1}/${parallelism}): part file '${file}' already exists in ` +
          `'${directory}'; expected each sink of a job to write to its own directory`,
        { cause },
      );
    let fd: number;
    try {
      fd = openSync(join(directory, name), 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw taken(name, error);
      throw toStorageError(error, join(directory, name), `create a part file of sink '${sinkName}' at`, "the sink's directory");
    }
    // a rename onto a pending or committed file would silently replace another writer's data
    const later = [partFileName(id, 'pending'), partFileName(id, 'committed')].find((file) => existsSync(join(directory, file)));
    if (later !== undefined) {
      closeSync(fd);
      unlinkSync(join(directory, name));
      throw taken(later);
    }
    this.fd = fd;
    this.nextCounter++;
    this.current = id;
  }

  /** inprogress → pending: fsync, close, rename. */
  private roll(): void {
    if (this.fd === undefined || this.current === undefined) return;
    const fd = this.fd;
    const id = this.current;
    this.fd = undefined;
    this.current = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const pendingFile = partFileName(id, 'pending');
    renameSync(join(this.config.directory, partFileName(id, 'inprogress')), join(this.config.directory, pendingFile));
    this.rolled.push({
      pendingFile,
      finalFile: partFileName(id, 'committed'),
      bytes: this.fileBytes,
      records: this.fileRecords,
    });
    this.fileBytes = 0;
    this.fileRecords = 0;
  }
}
