/**
 * Lines of text files. The path is a file or a directory (its regular files, sorted by
 * name); files are spread over the parallel instances (file i → instance i mod p). Each
 * reader's position is (file, byte offset of the next line), so a restored reader
 * continues at the exact line. Lines end at `\n` (a preceding `\r` is dropped); a last
 * line without a newline is emitted too.
 */
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PollStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from '../runtime/source.js';

const CHUNK = 64 * 1024;

/** A bounded source of text lines. */
export class TextFileSource implements Source<string> {
  readonly boundedness = 'bounded' as const;

  constructor(readonly path: string) {
    listFiles(path); // fail at job definition, naming the path, rather than in a task
  }

  createReader(ctx: SourceReaderContext): SourceReader<string> {
    const files = listFiles(this.path).filter((_, i) => i % ctx.parallelism === ctx.subtaskIndex);
    return new TextFileReader(files);
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

interface TextPosition {
  readonly file: number;
  readonly offset: number;
}

class TextFileReader implements SourceReader<string> {
  private file = 0;
  /** Byte offset of the start of `buffered` in the current file. */
  private offset = 0;
  private fd: number | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private eof = false;

  constructor(private readonly files: readonly string[]) {}

  poll(out: SourceOutput<string>, maxRecords: number): PollStatus {
    let emitted = 0;
    while (emitted < maxRecords) {
      if (this.file >= this.files.length) return 'end';
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
    return this.file >= this.files.length ? 'end' : 'more';
  }

  snapshotPosition(): TextPosition {
    return { file: this.file, offset: this.offset };
  }

  restorePosition(position: unknown): void {
    const p = position as TextPosition;
    this.closeFile();
    this.file = p.file;
    this.offset = p.offset;
    this.buffered = Buffer.alloc(0);
    this.eof = false;
  }

  close(): void {
    this.closeFile();
  }

  private readMore(): void {
    this.fd ??= openSync(this.files[this.file]!, 'r');
    const chunk = Buffer.allocUnsafe(CHUNK);
    const n = readSync(this.fd, chunk, 0, CHUNK, this.offset + this.buffered.length);
    if (n === 0) this.eof = true;
    else this.buffered = this.buffered.length === 0 ? chunk.subarray(0, n) : Buffer.concat([this.buffered, chunk.subarray(0, n)]);
  }

  private nextFile(): void {
    this.closeFile();
    this.file++;
    this.offset = 0;
    this.eof = false;
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
