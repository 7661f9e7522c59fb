/**
 * Writes records as JSON lines into files under a directory (DESIGN §8). Each parallel
 * instance writes its own part files; a file is written as `.part-….jsonl.inprogress`
 * (never visible as `*.jsonl`) and committed by fsync and an atomic rename to
 * `part-….jsonl` when the input ends. Files roll over at `maxFileBytes`.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Sink, SinkWriter, SinkWriterContext } from '../runtime/sink.js';
import { toJsonLine } from './json-line.js';

/** Options of {@link JsonlSink}. */
export interface JsonlSinkOptions {
  /** Roll to a new part file after this many bytes. @default 128 MiB */
  readonly maxFileBytes?: number;
}

const WRITE_CHUNK = 64 * 1024;

/** A sink of JSON-lines files. */
export class JsonlSink<T> implements Sink<T> {
  readonly name: string;
  private readonly maxFileBytes: number;

  constructor(
    readonly directory: string,
    options: JsonlSinkOptions = {},
  ) {
    this.name = `JSONL(${directory})`;
    this.maxFileBytes = options.maxFileBytes ?? 128 * 1024 * 1024;
  }

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    mkdirSync(this.directory, { recursive: true });
    return new JsonlWriter<T>(this.directory, `${randomBytes(4).toString('hex')}-${ctx.subtaskIndex}`, this.maxFileBytes);
  }
}

/** The part files of one parallel instance. */
class JsonlWriter<T> implements SinkWriter<T> {
  private fd: number | undefined;
  private partName = '';
  private counter = 0;
  private fileBytes = 0;
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly directory: string,
    private readonly prefix: string,
    private readonly maxFileBytes: number,
  ) {}

  write(record: T): void {
    const line = toJsonLine(record) + '\n';
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= WRITE_CHUNK) this.writePending();
  }

  flush(endOfInput: boolean): void {
    this.writePending();
    if (endOfInput) this.commitCurrent();
  }

  close(): void {
    // a writer closed without end of input (canceled job) leaves only in-progress files
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  private writePending(): void {
    if (this.pending.length === 0) return;
    if (this.fd === undefined) this.openNext();
    const data = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingBytes = 0;
    writeSync(this.fd!, data);
    this.fileBytes += data.length;
    if (this.fileBytes >= this.maxFileBytes) this.commitCurrent();
  }

  private openNext(): void {
    this.partName = `part-${this.prefix}-${this.counter++}.jsonl`;
    this.fd = openSync(join(this.directory, `.${this.partName}.inprogress`), 'w');
    this.fileBytes = 0;
  }

  private commitCurrent(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(join(this.directory, `.${this.partName}.inprogress`), join(this.directory, this.partName));
    const dir = openSync(this.directory, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
}
