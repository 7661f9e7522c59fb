/**
 * The `hashmap` state backend: keyed state as JS values on the heap, organised by key
 * group, with copy-on-write snapshots (a short synchronous part, serialization in the
 * asynchronous part) and restore of any subset of key groups.
 */
import { RestoreError, StateAccessError } from '../../core/errors.js';
import { keyFromId, keyId, type Key } from '../../core/key-encoding.js';
import type { KeyGroupRange } from '../../core/key-group-range.js';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../descriptors.js';
import type {
  InternalAggregatingState,
  InternalKvState,
  InternalListState,
  InternalMapState,
  InternalReducingState,
  InternalValueState,
} from '../internal-kv-state.js';
import type {
  KeyedStateBackend,
  KeyedStateBackendOptions,
  FullKeyedStateSnapshot,
  KeyedStateSnapshot,
  SnapshotRunner,
} from '../keyed-state-backend.js';
import { checkRestoredAgainAs, collectRestoredKeyedState, type RestoredKeyedState } from '../keyed-snapshot/restored-keyed-state.js';
import {
  checkSameState,
  describeState,
  ownerPrefix,
  resolveRestoredState,
  type DescribedState,
} from '../keyed-snapshot/state-compatibility.js';
import { checkBackendOptions, ownedKeyGroup } from '../keyed-backend-checks.js';
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

interface RegisteredState extends DescribedState {
  readonly descriptor: StateDescriptor<unknown>;
  readonly state: HeapKvState;
}

/** Creates a {@link HeapKeyedStateBackend}; usable as a {@link KeyedStateBackendFactory}. */
export function createHeapKeyedStateBackend(options: KeyedStateBackendOptions): HeapKeyedStateBackend {
  return new HeapKeyedStateBackend(options);
}

/**
 * Keyed state on the JS heap. Values are stored as private deep copies (see
 * `copyValue`): a copy is taken on every write of an object and returned on every read,
 * so neither the caller nor a snapshot in flight can see later mutations. Primitive
 * values cost nothing to copy.
 */
export class HeapKeyedStateBackend implements KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  private readonly ctx: HeapKeyContext;
  private readonly first: number;
  private readonly last: number;
  private readonly states = new Map<string, RegisteredState>();
  private readonly restored = new Map<string, RestoredKeyedState>();
  private snapshotsInFlight = 0;
  private readonly owner: string | undefined;

  constructor(options: KeyedStateBackendOptions) {
    const { maxParallelism, keyGroupRange } = options;
    const prefix = ownerPrefix(options.owner);
    checkBackendOptions(maxParallelism, keyGroupRange, prefix);
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = keyGroupRange;
    this.first = keyGroupRange.startKeyGroup;
    this.last = keyGroupRange.endKeyGroup;
    this.owner = options.owner;
    this.ctx = new HeapKeyContext(prefix);
  }

  setCurrentKey(key: Key): void {
    const ctx = this.ctx;
    if (key === ctx.key && typeof key !== 'object') return;
    if (ctx.disposed) throw this.disposedError();
    const keyGroup = ownedKeyGroup(key, this.maxParallelism, this.keyGroupRange, ctx.prefix);
    ctx.keyId = keyId(key);
    ctx.key = key;
    ctx.keyGroup = keyGroup;
    ctx.slotIndex = keyGroup - this.first;
  }

  getCurrentKey(): Key | undefined {
    return this.ctx.key;
  }

  getCurrentKeyGroup(): number {
    return this.ctx.keyGroup;
  }

  getPartitionedState<T>(descriptor: ValueStateDescriptor<T>): InternalValueState<T>;
  getPartitionedState<T>(descriptor: ListStateDescriptor<T>): InternalListState<T>;
  getPartitionedState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): InternalMapState<UK, UV>;
  getPartitionedState<T>(descriptor: ReducingStateDescriptor<T>): InternalReducingState<T>;
  getPartitionedState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): InternalAggregatingState<IN, OUT>;
  getPartitionedState(descriptor: StateDescriptor<unknown>): InternalKvState {
    if (this.ctx.disposed) throw this.disposedError();
    const described = describeState(descriptor);
    const existing = this.states.get(descriptor.name);
    if (existing !== undefined) {
      checkSameState(existing.meta, described.meta, this.owner);
      return existing.state;
    }
    const restored = this.restored.get(descriptor.name);
    const decoder = restored === undefined ? undefined : resolveRestoredState(restored.meta, descriptor, this.owner);
    const table = new StateTable(this.keyGroupRange.numberOfKeyGroups);
    const state = this.createState(descriptor, table);
    if (restored !== undefined && decoder !== undefined) {
      loadRestoredState(table, descriptor.kind, restored, decoder, this.first, this.ctx.prefix);
      this.restored.delete(descriptor.name);
    }
    this.states.set(descriptor.name, { ...described, descriptor, state });
    return state;
  }

  getKeys(stateName: string, namespace: Namespace = VOID_NAMESPACE): Key[] {
    const registered = this.requested(stateName);
    const namespaceId = namespace === VOID_NAMESPACE ? undefined : keyId(namespace);
    const keys: Key[] = [];
    for (const slot of registered.state.table.slots) {
      const map = namespaceId === undefined ? slot.data : slot.namespaces?.get(namespaceId);
      if (map !== undefined) for (const id of map.keys()) keys.push(keyFromId(id));
    }
    return keys;
  }

  getKeysAndNamespaces(stateName: string): Array<readonly [Key, Namespace]> {
    const registered = this.requested(stateName);
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

  hasState(stateName: string): boolean {
    return this.states.has(stateName) || this.restored.has(stateName);
  }

  /** Always a full snapshot: the heap backend has no incremental form. */
  snapshot(checkpointId: number): SnapshotRunner<FullKeyedStateSnapshot> {
    if (this.ctx.disposed) throw this.disposedError();
    if (!Number.isSafeInteger(checkpointId) || checkpointId < 0) {
      throw new RangeError(`checkpoint id must be a non-negative safe integer, got ${checkpointId}`);
    }
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

  restore(snapshots: readonly KeyedStateSnapshot[]): void {
    if (this.ctx.disposed) throw this.disposedError();
    const collected = collectRestoredKeyedState(snapshots, {
      maxParallelism: this.maxParallelism,
      keyGroupRange: this.keyGroupRange,
      owner: this.owner,
    });
    // Check everything before changing anything, so a failed restore leaves no trace.
    const plans: Array<() => void> = [];
    for (const [name, incoming] of collected) {
      const registered = this.states.get(name);
      if (registered !== undefined) {
        const decoder = resolveRestoredState(incoming.meta, registered.descriptor, this.owner);
        const { table } = registered.state;
        plans.push(() => loadRestoredState(table, registered.meta.kind, incoming, decoder, this.first, this.ctx.prefix));
        continue;
      }
      const pending = this.restored.get(name);
      if (pending === undefined) {
        plans.push(() => this.restored.set(name, incoming));
        continue;
      }
      plans.push(this.mergePending(pending, incoming));
    }
    for (const apply of plans) apply();
  }

  dispose(): void {
    this.ctx.disposed = true;
    this.ctx.key = undefined;
    this.ctx.keyGroup = -1;
    this.ctx.slotIndex = -1;
    for (const { state } of this.states.values()) state.table.slots = [];
    this.states.clear();
    this.restored.clear();
  }

  /** The number of (key, namespace) entries of a requested state, for tests and metrics. */
  numberOfEntries(stateName: string): number {
    return this.states.get(stateName)?.state.table.size() ?? 0;
  }

  private createState(descriptor: StateDescriptor<unknown>, table: StateTable): HeapKvState {
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
      default:
        throw new StateAccessError(
          `${this.ctx.prefix}state '${(descriptor as StateDescriptor).name}' has unknown kind '${String((descriptor as StateDescriptor).kind)}'`,
        );
    }
  }

  /** Checks that `incoming` can join the not yet requested `pending` and returns how to join them. */
  private mergePending(pending: RestoredKeyedState, incoming: RestoredKeyedState): () => void {
    const a = pending.meta;
    checkRestoredAgainAs(a, incoming.meta, this.ctx.prefix);
    for (const keyGroup of incoming.blocks.keys()) {
      if (pending.blocks.has(keyGroup)) {
        throw new RestoreError(`${this.ctx.prefix}state '${a.name}': key group ${keyGroup} was already restored`);
      }
    }
    return () => {
      this.restored.set(a.name, { meta: a, blocks: new Map([...pending.blocks, ...incoming.blocks]) });
    };
  }

  /** The registered state `stateName`, for the listing methods. */
  private requested(stateName: string): RegisteredState {
    if (this.ctx.disposed) throw this.disposedError();
    const registered = this.states.get(stateName);
    if (registered === undefined) {
      throw new StateAccessError(
        `${this.ctx.prefix}no keyed state named '${stateName}' has been requested; request it with its descriptor before listing its keys`,
      );
    }
    return registered;
  }

  private snapshotReleased(): void {
    this.snapshotsInFlight--;
    if (this.snapshotsInFlight === 0) for (const { state } of this.states.values()) state.table.ownAll();
  }

  private disposedError(): StateAccessError {
    return new StateAccessError(`${this.ctx.prefix}the keyed state backend was used after it was disposed`);
  }
}
