/** Shared helpers of the event-time integration tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Observation } from './jobs/observe.js';
import { waitUntil } from '../../support/wait-until.js';

/** Polls `condition` until it holds; fails after a generous deadline (never a timed assertion). */
export async function until(condition: () => boolean, what: string, deadlineMs = 30_000): Promise<void> {
  await waitUntil(condition, { what, timeoutMs: deadlineMs, pollMs: 2 });
}

/** Temporary directories, removed by `removeAll`. */
export class TempDirs {
  private readonly dirs: string[] = [];
  make(): string {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-event-time-'));
    this.dirs.push(dir);
    return dir;
  }
  removeAll(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** The watermarks among `observations`, as numbers. */
export function watermarks(observations: readonly Observation[]): number[] {
  return observations.flatMap((o) => (o.kind === 'watermark' ? [Number(o.watermark)] : []));
}

/** Whether `values` strictly increase. */
export function strictlyIncreasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]!);
}
