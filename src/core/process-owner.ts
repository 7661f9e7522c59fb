/**
 * Who made a file or directory Eddy leaves on disk while it runs (RocksDB working
 * directories, in-progress sink files, checkpoint directories), so a later run can tell
 * the leftovers of a dead process from the files of a live one and clean up only the
 * former. An owner is the process id, a token of the process's start (so a recycled pid
 * is not mistaken for the owner) and the host name (a directory shared between machines
 * is never judged by a pid of another host).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The owner of a file or directory, as stored in an owner file. */
export interface ProcessOwner {
  /** Format version of the owner file. */
  readonly version: 1;
  readonly pid: number;
  /**
   * When the process started, in clock ticks since boot (Linux: field 22 of
   * `/proc/<pid>/stat`); undefined where that cannot be read. A live pid with another
   * start token is a different process that reuses the pid.
   */
  readonly startToken: string | undefined;
  readonly host: string;
}

/** Is an owner's process alive? `unknown` when it cannot be told (another host, no permission to ask). */
export type OwnerLiveness = 'alive' | 'dead' | 'unknown';

let self: ProcessOwner | undefined;

/** The owner record of this process (the same in every worker thread). */
export function currentProcessOwner(): ProcessOwner {
  self ??= { version: 1, pid: process.pid, startToken: processStartToken(process.pid), host: hostname() };
  return self;
}

/** Whether `owner` is this process. */
export function isCurrentProcess(owner: ProcessOwner): boolean {
  const me = currentProcessOwner();
  return owner.pid === me.pid && owner.host === me.host && owner.startToken === me.startToken;
}

/**
 * Whether the owner's process still runs. A signal 0 to the pid answers ESRCH when no
 * such process exists (dead) and EPERM when it exists under another user (alive); a live
 * pid whose start token differs from the recorded one is a recycled pid (dead). Owners on
 * another host are `unknown`: their files are never removed.
 */
export function ownerLiveness(owner: ProcessOwner): OwnerLiveness {
  if (owner.host !== hostname()) return 'unknown';
  if (isCurrentProcess(owner)) return 'alive';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return 'dead';
    if (code === 'EPERM') return 'alive';
    return 'unknown';
  }
  if (owner.startToken === undefined) return 'alive';
  const token = processStartToken(owner.pid);
  // the process may have exited between the signal and the read: undefined means gone or unreadable
  if (token === undefined) return 'unknown';
  return token === owner.startToken ? 'alive' : 'dead';
}

/** Writes this process's owner record to `path` atomically (temporary file, rename). */
export function writeOwnerFile(path: string): void {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, JSON.stringify(currentProcessOwner()) + '\n', { flag: 'wx' });
  renameSync(temporary, path);
}

/**
 * Reads an owner file: `undefined` when it does not exist (or is being replaced), or
 * when it does not hold an owner record (then nobody can say it is dead, so whatever it
 * marks is left alone).
 */
export function readOwnerFile(path: string): ProcessOwner | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined; // torn or foreign content: owner unknown, so nothing is removed
  }
  const o = parsed as Partial<ProcessOwner> | null;
  if (o?.version !== 1 || !Number.isSafeInteger(o.pid) || typeof o.host !== 'string') return undefined;
  if (o.startToken !== undefined && typeof o.startToken !== 'string') return undefined;
  return { version: 1, pid: o.pid!, startToken: o.startToken, host: o.host };
}

/** Describes an owner for messages: `process 1234`. */
export function describeOwner(owner: ProcessOwner): string {
  return owner.host === hostname() ? `process ${owner.pid}` : `process ${owner.pid} on ${owner.host}`;
}

/** The start time of process `pid` from `/proc` (Linux), or undefined where it cannot be read. */
function processStartToken(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(join('/proc', String(pid), 'stat'), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19]; // field 22 (starttime); fields[0] is field 3
}
