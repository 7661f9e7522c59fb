/**
 * The contract every keyed state backend passes (STYLE rule 8): the five state kinds, key
 * isolation, namespaces, copy semantics, snapshot consistency, restore into any key-group
 * range, the errors, and property tests against a model. A backend's test file calls
 * {@link describeKeyedStateBackend}; the suites live in `keyed-backend-contract/`.
 */
import { afterEach, describe } from 'vitest';
import type { KeyGroupRange } from '../../src/core/key-group-range.js';
import type {
  KeyedStateBackend,
  KeyedStateBackendOptions,
  FullKeyedStateSnapshot,
  KeyedStateSnapshot,
} from '../../src/state/keyed-state-backend.js';
import { describeAccessContract } from './keyed-backend-contract/access.contract.js';
import { FULL, MAX_P, type ContractHarness } from './keyed-backend-contract/fixtures.js';
import { describeNamespacesContract } from './keyed-backend-contract/namespaces.contract.js';
import { describePropertiesContract } from './keyed-backend-contract/properties.contract.js';
import { describeRescalingContract } from './keyed-backend-contract/rescaling.contract.js';
import { describeRestoreErrorsContract } from './keyed-backend-contract/restore-errors.contract.js';
import { describeSnapshotConsistencyContract } from './keyed-backend-contract/snapshot-consistency.contract.js';
import { describeStateKindsContract } from './keyed-backend-contract/state-kinds.contract.js';

/** Creates the backend under test. */
export type KeyedStateBackendTestFactory = (
  options: KeyedStateBackendOptions,
) => KeyedStateBackend | Promise<KeyedStateBackend>;

/**
 * Runs the keyed state backend contract against `factory`. Every backend created by the
 * suites is disposed after its test.
 *
 * @param name - the backend's name in the test titles, e.g. `'heap'`
 */
export function describeKeyedStateBackend(
  name: string,
  factory: KeyedStateBackendTestFactory,
  options: {
    /** Takes a checkpoint's snapshot and makes it restorable. @default a full snapshot */
    readonly snapshotOf?: (backend: KeyedStateBackend, checkpointId: number) => Promise<KeyedStateSnapshot>;
    /** Runs per property test. @default 60 */
    readonly propertyRuns?: number;
  } = {},
): void {
  describe(`${name} keyed state backend (contract)`, () => {
    const created: KeyedStateBackend[] = [];
    afterEach(() => {
      for (const backend of created.splice(0)) backend.dispose();
    });
    const fullSnapshotOf = async (backend: KeyedStateBackend, checkpointId = 1): Promise<FullKeyedStateSnapshot> => {
      const snapshot = await backend.snapshot(checkpointId, { savepoint: true }).run();
      if (snapshot.type !== 'full') throw new Error(`expected a full snapshot, got ${snapshot.type}`);
      return snapshot;
    };
    const harness: ContractHarness = {
      created,
      async create(range: KeyGroupRange = FULL, maxParallelism = MAX_P): Promise<KeyedStateBackend> {
        const backend = await factory({ maxParallelism, keyGroupRange: range, owner: "operator 'test' (subtask 1/1)" });
        created.push(backend);
        return backend;
      },
      fullSnapshotOf,
      propertyRuns: options.propertyRuns,
      snapshotOf: (backend: KeyedStateBackend, checkpointId = 1): Promise<KeyedStateSnapshot> =>
        options.snapshotOf ? options.snapshotOf(backend, checkpointId) : fullSnapshotOf(backend, checkpointId),
    };
    describeAccessContract(harness);
    describeStateKindsContract(harness);
    describeNamespacesContract(harness);
    describeSnapshotConsistencyContract(harness);
    describeRescalingContract(harness);
    describeRestoreErrorsContract(harness);
    describePropertiesContract(harness);
  });
}
