/**
 * Lines of text files. The path is a file or a directory (its regular files, sorted by
 * name); files are spread over the parallel instances (file i → instance i mod p). The
 * source is splittable, one split per file: a reader's position is the list of files it
 * still has to read, each with the byte offset of its next line, so a restored reader
 * continues at the exact line, and a restore at another parallelism deals the files out
 * to the new readers. Files are listed when a reader starts fresh; a restored reader reads
 * the files of its splits only. Lines end at `\n` (a preceding `\r` is dropped); a last
 * line without a newline is emitted too.
 */
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RestoreError } from '../core/errors.js';
import type { PollStatus, Source, SourceOutput, SourceReader, SourceReaderContext, SplitPosition } from '../runtime/source.js';

const CHUNK = 64 * 1024;

/** A bounded source of text lines. */
export class TextFileSource implements Source<string> {
  readonly boundedness = 'bounded' as const;
  readonly splittable = true;

  constructor(readonly path: string) {
    listFiles(path); // fail at job definition, naming the path, rather than in a task
  }

  createReader(ctx: SourceReaderContext): SourceReader<string> {
    const files = listFiles(this.path).filter((_, i) => i % ctx.parallelism === ctx.subtaskIndex);
    return new TextFileReader(files.map((file) => ({ file, offset: 0 })));
  }
}

function listFiles(path: string): string[] {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new Error(`text file source: '${path}' does not exist`);
  if (stat.isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(path, e.name))
    .sort();
}

/** One split of a {@link TextFileSource}: a file, read from the line that starts at `offset`. */
export interface TextFileSplit {
  /** The file's path, as listed from the source's path. */
  readonly file: string;
  /** Byte offset of the next line to read. */
  readonly offset: number;
}

class TextFileReader implements SourceReader<string> {
  /** The files still to read, in order; the first is the current one. */
  private splits: TextFileSplit[];
  /** Byte offset of the start of `buffered` in the current file. */
  private offset = 0;
  private fd: number | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private eof = false;

  constructor(
    splits: readonly TextFileSplit[],
    /** This reader's files when it started fresh, to read a position written before splits. */
    private readonly ownFiles: readonly string[] = splits.map((s) => s.file),
  ) {
    this.splits = [...splits];
    this.offset = splits[0]?.offset ?? 0;
  }

  poll(out: SourceOutput<string>, maxRecords: number): PollStatus {
    let emitted = 0;
    while (emitted < maxRecords) {
      if (this.splits.length === 0) return 'end';
      const nl = this.buffered.indexOf(0x0a);
      if (nl >= 0) {
        const end = nl > 0 && this.buffered[nl - 1] === 0x0d ? nl - 1 : nl;
        out.collect(this.buffered.toString('utf8', 0, end));
        this.buffered = this.buffered.subarray(nl + 1);
        this.offset += nl + 1;
        emitted++;
        continue;
      }
      if (!this.eof) {
        this.readMore();
        continue;
      }
      if (this.buffered.length > 0) {
        out.collect(this.buffered.toString('utf8'));
        this.offset += this.buffered.length;
        this.buffered = Buffer.alloc(0);
        emitted++;
      }
      this.nextFile();
    }
    return this.splits.length === 0 ? 'end' : 'more';
  }

  snapshotPosition(): SplitPosition<TextFileSplit> {
    return this.splits.map((s, i) => ({ file: s.file, offset: i === 0 ? this.offset : s.offset }));
  }

  restorePosition(position: unknown): void {
    this.closeFile();
    this.splits = Array.isArray(position) ? position.map((p) => this.toSplit(p)) : this.fromFileIndex(position);
    this.offset = this.splits[0]?.offset ?? 0;
    this.buffered = Buffer.alloc(0);
    this.eof = false;
  }

  close(): void {
    this.closeFile();
  }

  private readMore(): void {
    this.fd ??= openSync(this.splits[0]!.file, 'r');
    const chunk = Buffer.allocUnsafe(CHUNK);
    const n = readSync(this.fd, chunk, 0, CHUNK, this.offset + this.buffered.length);
    if (n === 0) this.eof = true;
    else this.buffered = this.buffered.length === 0 ? chunk.subarray(0, n) : Buffer.concat([this.buffered, chunk.subarray(0, n)]);
  }

  private nextFile(): void {
    this.closeFile();
    this.splits.shift();
    this.offset = this.splits[0]?.offset ?? 0;
    this.eof = false;
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private toSplit(value: unknown): TextFileSplit {
    const split = value as Partial<TextFileSplit> | null;
    if (split !== null && typeof split === 'object' && typeof split.file === 'string' && Number.isSafeInteger(split.offset) && split.offset! >= 0) {
      return { file: split.file, offset: split.offset! };
    }
    if (split !== null && typeof split === 'object' && typeof split.file === 'number') {
      throw new RestoreError(
        `text file source: position ${JSON.stringify(value)} was written before the source became splittable and names a file by its index in one reader's share; restore it at the parallelism it was taken with, take a new savepoint, then change the parallelism`,
      );
    }
    throw new RestoreError(`text file source: cannot restore from position ${JSON.stringify(value)}; expected splits { file, offset }`);
  }

  /** A position written before splits: `{ file, offset }`, `file` indexing this reader's share of the files. */
  private fromFileIndex(value: unknown): TextFileSplit[] {
    const p = value as { file?: unknown; offset?: unknown } | null;
    if (p === null || typeof p !== 'object' || !Number.isSafeInteger(p.file) || !Number.isSafeInteger(p.offset)) {
      throw new RestoreError(`text file source: cannot restore from position ${JSON.stringify(value)}; expected splits { file, offset }`);
    }
    const index = p.file as number;
    return this.ownFiles.slice(index).map((file, i) => ({ file, offset: i === 0 ? (p.offset as number) : 0 }));
  }
}
