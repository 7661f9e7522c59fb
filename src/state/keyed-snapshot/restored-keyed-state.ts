/**
 * The first step of every keyed restore, whatever the backend: read the headers of the old
 * snapshots, check they fit this backend, and take out the state blocks of exactly the key
 * groups this backend owns. Each old snapshot may cover any range, so this works for the
 * same parallelism, scale-out (one old snapshot feeds several backends) and scale-in
 * (several old snapshots feed one).
 */
import { RestoreError } from '../../core/errors.js';
import type { KeyGroupRange } from '../../core/key-group-range.js';
import type { KeyedStateSnapshot } from '../keyed-state-backend.js';
import type { KeyedSnapshotStateMeta } from './keyed-snapshot-format.js';
import { readKeyedSnapshotHeader, readKeyGroupBlocks } from './keyed-snapshot-reader.js';
import { ownerPrefix } from './state-compatibility.js';

/** A restored state that no descriptor has claimed yet: its header entry and its blocks. */
export interface RestoredKeyedState {
  readonly meta: KeyedSnapshotStateMeta;
  /** Key group → the entries of this state in that key group (own copies of the bytes). */
  readonly blocks: Map<number, Uint8Array>;
}

/** Where the restore goes. */
export interface RestoreTarget {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly owner?: string;
}

/**
 * The states held by `snapshots` within `target.keyGroupRange`, by name. States appear
 * even when they have no entries in the range, so that their kind is still checked.
 *
 * @throws {@link RestoreError} if a snapshot is of an unknown type or another
 *   maxParallelism, two snapshots cover the same key group, or they describe a state
 *   differently
 * @throws {@link StateSerializationError} if a header or a needed section is corrupt
 */
export function collectRestoredKeyedState(
  snapshots: readonly KeyedStateSnapshot[],
  target: RestoreTarget,
): Map<string, RestoredKeyedState> {
  const prefix = ownerPrefix(target.owner);
  const states = new Map<string, RestoredKeyedState>();
  const covered: Array<{ range: KeyGroupRange; snapshot: number }> = [];
  snapshots.forEach((snapshot, snapshotIndex) => {
    if (snapshot.type === 'incremental') {
      throw new RestoreError(
        `${prefix}the keyed state is an incremental checkpoint of the '${snapshot.backend}' state backend, which only that backend can restore; run with --state-backend ${snapshot.backend}, or take a savepoint (backend-independent) to change backends`,
      );
    }
    if (snapshot.type !== 'full') {
      throw new RestoreError(`${prefix}cannot restore keyed state from a snapshot of type '${String((snapshot as { type: unknown }).type)}'`);
    }
    const header = readKeyedSnapshotHeader(snapshot.bytes);
    if (header.maxParallelism !== target.maxParallelism) {
      throw new RestoreError(
        `${prefix}the keyed state was written with maxParallelism ${header.maxParallelism} but is restored with maxParallelism ${target.maxParallelism}; maxParallelism is fixed for the life of the state`,
      );
    }
    const range = header.keyGroupRange.intersection(target.keyGroupRange);
    for (const other of covered) {
      const overlap = other.range.intersection(range);
      if (!overlap.isEmpty) {
        throw new RestoreError(
          `${prefix}snapshots ${other.snapshot} and ${snapshotIndex} both hold key groups ${overlap.startKeyGroup}..${overlap.endKeyGroup}; each key group must be restored from exactly one snapshot`,
        );
      }
    }
    covered.push({ range, snapshot: snapshotIndex });
    const inSnapshot: RestoredKeyedState[] = header.states.map((meta) => {
      const existing = states.get(meta.name);
      if (existing === undefined) {
        const state = { meta, blocks: new Map<number, Uint8Array>() };
        states.set(meta.name, state);
        return state;
      }
      checkSameMeta(existing.meta, meta, prefix);
      return existing;
    });
    if (range.isEmpty) return;
    for (const entry of header.keyGroups) {
      if (!range.contains(entry.keyGroup)) continue;
      for (const block of readKeyGroupBlocks(snapshot.bytes, header, entry.keyGroup)) {
        inSnapshot[block.stateIndex]!.blocks.set(entry.keyGroup, block.bytes.slice());
      }
    }
  });
  return states;
}

/** Whether two snapshots describe a state the same way (kind, serializers, version). */
function sameStateMeta(a: KeyedSnapshotStateMeta, b: KeyedSnapshotStateMeta): boolean {
  return (
    a.kind === b.kind &&
    a.serializerId === b.serializerId &&
    a.serializerVersion === b.serializerVersion &&
    a.descriptorVersion === b.descriptorVersion &&
    a.userKeySerializerId === b.userKeySerializerId &&
    a.userKeySerializerVersion === b.userKeySerializerVersion
  );
}

/**
 * Checks that two snapshots restored together describe a state the same way.
 *
 * @throws {@link RestoreError} naming the state and both descriptions
 */
export function checkSameMeta(a: KeyedSnapshotStateMeta, b: KeyedSnapshotStateMeta, prefix: string): void {
  if (!sameStateMeta(a, b)) {
    throw new RestoreError(
      `${prefix}state '${a.name}' is described differently by the snapshots being restored (${describe(a)} vs ${describe(b)})`,
    );
  }
}

/**
 * Checks that a state restored again (a second `restore()` call) is described as it was
 * the first time.
 *
 * @throws {@link RestoreError} naming the state and both descriptions
 */
export function checkRestoredAgainAs(before: KeyedSnapshotStateMeta, now: KeyedSnapshotStateMeta, prefix: string): void {
  if (!sameStateMeta(before, now)) {
    throw new RestoreError(`${prefix}state '${before.name}' was restored before as ${describe(before)} and now as ${describe(now)}`);
  }
}

function describe(meta: KeyedSnapshotStateMeta): string {
  return `${meta.kind} state, serializer '${meta.serializerId}' v${meta.serializerVersion}, version ${meta.descriptorVersion}`;
}
