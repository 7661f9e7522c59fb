/**
 * The state backends the matrix suites run against (DESIGN §9: every backend passes the
 * same tests). A suite wraps its cases in `describe.each(STATE_BACKENDS)('[%s] …', …)` and
 * passes the backend on as `RunOptions.stateBackend` (or `--state-backend`).
 *
 * `EDDY_TEST_BACKENDS=hashmap` (a comma list) runs only those backends; by default every
 * backend that can run here does, so the rocksdb cases are skipped where librocksdb is
 * missing — except in CI. A backend named in `EDDY_TEST_BACKENDS` (or any, with `CI=true`)
 * that cannot run fails the suite instead.
 * Slow suites run their rocksdb variant on a representative subset of their cases
 * ({@link casesFor}); `EDDY_TEST_FULL_MATRIX=true` (`npm run test:full`) runs every case
 * on every backend.
 */
import { isRocksDBAvailable } from '../../src/state/rocksdb/native/rocksdb-library.js';
import { STATE_BACKEND_KINDS } from '../../src/state/state-backend-config.js';
import type { StateBackendConfig, StateBackendKind } from '../../src/state/state-backend-config.js';

export type { StateBackendKind } from '../../src/state/state-backend-config.js';

/** Whether `backend` can run on this machine. */
function available(backend: StateBackendKind): boolean {
  return backend === 'hashmap' || isRocksDBAvailable();
}

/** The backends `EDDY_TEST_BACKENDS` asks for, or undefined when it is not set. */
function requested(): StateBackendKind[] | undefined {
  const raw = process.env['EDDY_TEST_BACKENDS']?.trim();
  if (raw === undefined || raw === '') return undefined;
  const names = raw.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (!(STATE_BACKEND_KINDS as readonly string[]).includes(name)) {
      throw new Error(`EDDY_TEST_BACKENDS: unknown state backend '${name}'; use a comma list of ${STATE_BACKEND_KINDS.join(', ')}`);
    }
  }
  for (const name of names as StateBackendKind[]) {
    if (!available(name)) throw new Error(`EDDY_TEST_BACKENDS asks for '${name}', but librocksdb cannot be loaded here (see README, "Set up and run")`);
  }
  return STATE_BACKEND_KINDS.filter((kind) => names.includes(kind));
}

/**
 * Every backend that can run here; in CI (`CI=true`) every backend, or the suite fails:
 * a CI machine that lost librocksdb must not pass by skipping the rocksdb cases.
 */
function byDefault(): StateBackendKind[] {
  if (process.env['CI'] !== 'true') return STATE_BACKEND_KINDS.filter(available);
  for (const name of STATE_BACKEND_KINDS) {
    if (!available(name)) throw new Error(`CI=true, but the '${name}' state backend cannot run here: librocksdb cannot be loaded (.ci/run installs it)`);
  }
  return [...STATE_BACKEND_KINDS];
}

/** The backends to test, in a fixed order: `hashmap` first. */
export const STATE_BACKENDS: readonly StateBackendKind[] = requested() ?? byDefault();

/** Whether every case runs on every backend (`EDDY_TEST_FULL_MATRIX=true`). */
export const FULL_MATRIX = process.env['EDDY_TEST_FULL_MATRIX'] === 'true';

/**
 * The cases of a slow suite to run on `backend`: all of them on `hashmap` (and with
 * `EDDY_TEST_FULL_MATRIX=true`), those `representative` keeps on the others.
 */
export function casesFor<T>(backend: StateBackendKind, cases: readonly T[], representative: (testCase: T, index: number) => boolean): T[] {
  return backend === 'hashmap' || FULL_MATRIX ? [...cases] : cases.filter(representative);
}

/**
 * The cases of a slow matrix that `npm test` runs on every backend: those `representative`
 * keeps (each feature still covered); all of them with `EDDY_TEST_FULL_MATRIX=true`
 * (`npm run test:full`). Combine with {@link casesFor} for the further rocksdb subset.
 */
export function matrixCases<T>(cases: readonly T[], representative: (testCase: T, index: number) => boolean): T[] {
  return FULL_MATRIX ? [...cases] : cases.filter(representative);
}

/**
 * `RunOptions.stateBackend` for `backend`. `fullCheckpoints` makes a rocksdb run write every
 * checkpoint in the canonical format (`--no-incremental-checkpoints`), for tests that look
 * at the state files of a checkpoint.
 */
export function stateBackendOption(backend: StateBackendKind, settings: { readonly fullCheckpoints?: boolean } = {}): StateBackendConfig {
  return backend === 'rocksdb' && settings.fullCheckpoints === true ? { kind: 'rocksdb', incrementalCheckpoints: false } : { kind: backend };
}
