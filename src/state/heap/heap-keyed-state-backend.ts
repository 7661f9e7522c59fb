/**
 * The `hashmap` state backend: keyed state as JS values on the heap, organised by key
 * group, with copy-on-write snapshots (a short synchronous part, serialization in the
 * asynchronous part) and restore of any subset of key groups. What it shares with the
 * RocksDB backend (registration, checks, errors) is in {@link AbstractKeyedStateBackend};
 * this file holds the heap's storage: one {@link StateTable} per state.
 */
import { RestoreError } from '../../core/errors.js';
import { keyFromId, keyId, type Key } from '../../core/key-encoding.js';
import {
  AbstractKeyedStateBackend,
  type RegisteredKeyedState,
  type RestoringState,
} from '../abstract-keyed-state-backend.js';
import type { AggregatingStateDescriptor, ReducingStateDescriptor, StateDescriptor } from '../descriptors.js';
import type { FullKeyedStateSnapshot, KeyedStateBackendOptions, KeyedStateSnapshot, SnapshotRunner } from '../keyed-state-backend.js';
import { collectRestoredKeyedState, type RestoredKeyedState } from '../keyed-snapshot/restored-keyed-state.js';
import type { StateBlockCodec } from '../keyed-snapshot/state-block-codec.js';
import { VOID_NAMESPACE, type Namespace } from '../namespace.js';
import { HeapAggregatingState } from './heap-aggregating-state.js';
import { HeapKeyContext } from './heap-key-context.js';
import type { HeapKvState } from './heap-kv-state.js';
import { HeapListState } from './heap-list-state.js';
import { HeapMapState } from './heap-map-state.js';
import { HeapReducingState } from './heap-reducing-state.js';
import { HeapSnapshotRunner, type CapturedState } from './heap-snapshot-runner.js';
import { loadRestoredState } from './heap-state-restore.js';
import { HeapValueState } from './heap-value-state.js';
import { StateTable } from './state-table.js';

/** Creates a {@link HeapKeyedStateBackend}; usable as a {@link KeyedStateBackendFactory}. */
export function createHeapKeyedStateBackend(options: KeyedStateBackendOptions): HeapKeyedStateBackend {
  return new HeapKeyedStateBackend(options);
}

/**
 * Keyed state on the JS heap. Values are stored as private deep copies (see
 * `copyValue`): a copy is taken on every write of an object and returned on every read,
 * so neither the caller nor a snapshot in flight can see later mutations. Primitive
 * values cost nothing to copy. Restored states nobody has requested yet are kept as their
 * snapshot blocks.
 */
export class HeapKeyedStateBackend extends AbstractKeyedStateBackend<HeapKeyContext, HeapKvState, RestoredKeyedState> {
  private readonly first: number;
  private snapshotsInFlight = 0;

  constructor(options: KeyedStateBackendOptions) {
    super(options, (prefix) => new HeapKeyContext(prefix));
    this.first = options.keyGroupRange.startKeyGroup;
  }

  /** Always a full snapshot: the heap backend has no incremental form. */
  snapshot(checkpointId: number): SnapshotRunner<FullKeyedStateSnapshot> {
    this.checkSnapshot(checkpointId);
    const captured: CapturedState[] = [];
    for (const { meta, codec, state } of this.states.values()) {
      captured.push({ type: 'table', meta, codec, slots: state.table.capture() });
    }
    for (const { meta, blocks } of this.restored.values()) {
      captured.push({ type: 'blocks', meta, blocks: new Map(blocks) });
    }
    this.snapshotsInFlight++;
    const info = {
      checkpointId,
      maxParallelism: this.maxParallelism,
      keyGroupRange: this.keyGroupRange,
      prefix: this.ctx.prefix,
    };
    return new HeapSnapshotRunner(info, captured, () => this.snapshotReleased());
  }

  /** The number of (key, namespace) entries of a requested state, for tests and metrics. */
  numberOfEntries(stateName: string): number {
    return this.states.get(stateName)?.state.table.size() ?? 0;
  }

  protected switchKey(key: Key, keyGroup: number): void {
    this.ctx.keyId = keyId(key);
    this.ctx.slotIndex = keyGroup - this.first;
  }

  protected createState(descriptor: StateDescriptor<unknown>, _codec: StateBlockCodec, restoring: RestoringState<RestoredKeyedState> | undefined): HeapKvState {
    const table = new StateTable(this.keyGroupRange.numberOfKeyGroups);
    const state = this.stateOfKind(descriptor, table);
    if (restoring !== undefined) {
      loadRestoredState(table, descriptor.kind, restoring.restored, restoring.decoder, this.first, this.ctx.prefix);
    }
    return state;
  }

  protected restoreSnapshots(snapshots: readonly KeyedStateSnapshot[]): void {
    const collected = collectRestoredKeyedState(snapshots, this.restoreTarget());
    // Check everything before changing anything, so a failed restore leaves no trace.
    const plans: Array<() => void> = [];
    for (const [name, incoming] of collected) {
      const destination = this.restoreDestination(incoming.meta);
      switch (destination.type) {
        case 'registered': {
          const { state, meta } = destination.registered;
          plans.push(() => loadRestoredState(state.table, meta.kind, incoming, destination.decoder, this.first, this.ctx.prefix));
          break;
        }
        case 'pending':
          plans.push(this.mergePending(destination.pending, incoming));
          break;
        case 'new':
          plans.push(() => this.restored.set(name, incoming));
      }
    }
    for (const apply of plans) apply();
  }

  protected keysOf(registered: RegisteredKeyedState<HeapKvState>, namespace: Namespace): Key[] {
    const namespaceId = namespace === VOID_NAMESPACE ? undefined : keyId(namespace);
    const keys: Key[] = [];
    for (const slot of registered.state.table.slots) {
      const map = namespaceId === undefined ? slot.data : slot.namespaces?.get(namespaceId);
      if (map !== undefined) for (const id of map.keys()) keys.push(keyFromId(id));
    }
    return keys;
  }

  protected keysAndNamespacesOf(registered: RegisteredKeyedState<HeapKvState>): Array<readonly [Key, Namespace]> {
    const pairs: Array<readonly [Key, Namespace]> = [];
    for (const slot of registered.state.table.slots) {
      for (const id of slot.data.keys()) pairs.push([keyFromId(id), VOID_NAMESPACE]);
      if (slot.namespaces === undefined) continue;
      for (const [namespaceId, map] of slot.namespaces) {
        if (map.size === 0) continue;
        const namespace = keyFromId(namespaceId);
        for (const id of map.keys()) pairs.push([keyFromId(id), namespace]);
      }
    }
    return pairs;
  }

  protected releaseStorage(): void {
    this.ctx.slotIndex = -1;
    for (const { state } of this.states.values()) state.table.slots = [];
  }

  /** The heap state factory: the state object of `descriptor.kind` over `table`. */
  private stateOfKind(descriptor: StateDescriptor<unknown>, table: StateTable): HeapKvState {
    switch (descriptor.kind) {
      case 'value':
        return new HeapValueState(descriptor.name, table, this.ctx);
      case 'list':
        return new HeapListState(descriptor.name, table, this.ctx);
      case 'map':
        return new HeapMapState(descriptor.name, table, this.ctx);
      case 'reducing':
        return new HeapReducingState(descriptor as ReducingStateDescriptor<unknown>, table, this.ctx);
      case 'aggregating':
        return new HeapAggregatingState(descriptor as AggregatingStateDescriptor<unknown, unknown, unknown>, table, this.ctx);
    }
  }

  /**
   * How `incoming` joins the not yet requested `pending` (already checked to be described
   * the same way): refused if a key group came twice.
   */
  private mergePending(pending: RestoredKeyedState, incoming: RestoredKeyedState): () => void {
    const { meta } = pending;
    for (const keyGroup of incoming.blocks.keys()) {
      if (pending.blocks.has(keyGroup)) {
        throw new RestoreError(`${this.ctx.prefix}state '${meta.name}': key group ${keyGroup} was already restored`);
      }
    }
    return () => {
      this.restored.set(meta.name, { meta, blocks: new Map([...pending.blocks, ...incoming.blocks]) });
    };
  }

  private snapshotReleased(): void {
    this.snapshotsInFlight--;
    if (this.snapshotsInFlight === 0) for (const { state } of this.states.values()) state.table.ownAll();
  }
}
