/**
 * The run marker of the JSON-lines sink: `.eddy-jsonl-<job tag>.owner.json` in the sink's
 * directory names the process that writes part files with that job tag (its pid and start
 * token, see {@link ProcessOwner}). A later run removes the hidden part files of a tag
 * only when its marker names a process that is gone, so two live jobs can share a
 * directory and a file of a live process is never touched.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { describeOwner, isCurrentProcess, ownerLiveness, readOwnerFile, writeOwnerFile } from '../core/process-owner.js';
import type { OwnerLiveness } from '../core/process-owner.js';
import { parsePartFileName } from './jsonl-part-file.js';

const MARKER = /^\.eddy-jsonl-([A-Za-z0-9]{1,8})\.owner\.json$/;

/** The marker file name of job tag `tag`. */
export function runMarkerName(tag: string): string {
  return `.eddy-jsonl-${tag}.owner.json`;
}

/** The job tag of a marker file name, or undefined when `name` is not a marker. */
export function parseRunMarkerName(name: string): string | undefined {
  return MARKER.exec(name)?.[1];
}

/**
 * Marks `directory` as written by this process for job tag `tag` (a no-op when it
 * already is; a marker of a dead process is taken over).
 *
 * @throws {@link ConfigError} when a live process (another Eddy) writes the same job tag there
 */
export function claimRunMarker(directory: string, tag: string, sinkName: string): void {
  const path = join(directory, runMarkerName(tag));
  const owner = readOwnerFile(path);
  if (owner !== undefined && isCurrentProcess(owner)) return;
  if (owner !== undefined && ownerLiveness(owner) !== 'dead') {
    throw new ConfigError(
      `sink '${sinkName}': ${describeOwner(owner)} is writing part files of job '${tag}' to '${directory}'; ` +
        'expected each running job to have its own job id',
    );
  }
  writeOwnerFile(path);
}

/**
 * Removes this process's marker of job tag `tag` once no hidden part file of that tag is
 * left in `directory` (the job ended and committed everything): a finished job leaves
 * only its committed files. While any hidden file of the tag remains, the marker stays,
 * so a later run can tell whether those files' writer is alive.
 */
export function releaseRunMarker(directory: string, tag: string): void {
  const path = join(directory, runMarkerName(tag));
  const owner = readOwnerFile(path);
  if (owner === undefined || !isCurrentProcess(owner)) return;
  const hidden = readdirSync(directory).some((name) => {
    const part = parsePartFileName(name);
    return part !== undefined && part.stage !== 'committed' && part.id.jobTag === tag;
  });
  if (hidden) return;
  try {
    unlinkSync(path);
  } catch (error) {
    // another writer of this job, closing at the same time, removed it first
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Whether the process that wrote job tag `tag`'s files to `directory` is alive; `unknown` without a readable marker. */
export function runLiveness(directory: string, tag: string): OwnerLiveness {
  const owner = readOwnerFile(join(directory, runMarkerName(tag)));
  return owner === undefined ? 'unknown' : ownerLiveness(owner);
}
