/**
 * Owners for the debris tests: the owner record of a process that has certainly exited
 * (a child that ran and was waited for) and of a live process that is not this one (the
 * parent of the test worker), written as owner files the way Eddy writes them.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** The pid of a process that has exited (a child that ran to its end). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  if (child.pid === undefined || child.status !== 0) throw new Error('could not run a child process to get a dead pid');
  return child.pid;
}

/** Writes an owner file naming process `pid` on this host (start token unknown). */
export function writeOwner(path: string, pid: number): void {
  writeFileSync(path, JSON.stringify({ version: 1, pid, host: hostname() }) + '\n');
}
