/**
 * What every keyed state backend does the same way, whatever holds the values (Flink's
 * `AbstractKeyedStateBackend`): the current key, registering states and checking later
 * requests and restored state against them, the restored states that wait for their
 * descriptor, the checks a restore makes before it changes anything, and the errors. A
 * backend adds its storage: how each state kind is made on it
 * ({@link AbstractKeyedStateBackend.createState}, its state factory), snapshots, restore,
 * key listing and disposal.
 */
import { StateAccessError } from '../core/errors.js';
import type { Key } from '../core/key-encoding.js';
import type { KeyGroupRange } from '../core/key-group-range.js';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  StateKind,
  ValueStateDescriptor,
} from './descriptors.js';
import type {
  InternalAggregatingState,
  InternalKvState,
  InternalListState,
  InternalMapState,
  InternalReducingState,
  InternalValueState,
} from './internal-kv-state.js';
import type { KeyContext } from './key-context.js';
import { checkBackendOptions, ownedKeyGroup } from './keyed-backend-checks.js';
import type { KeyedSnapshotStateMeta } from './keyed-snapshot/keyed-snapshot-format.js';
import type { StateBlockCodec } from './keyed-snapshot/state-block-codec.js';
import { checkRestoredAgainAs, type RestoreTarget } from './keyed-snapshot/restored-keyed-state.js';
import {
  checkSameState,
  describeState,
  ownerPrefix,
  resolveRestoredState,
  type DescribedState,
  type RestoredStateDecoder,
} from './keyed-snapshot/state-compatibility.js';
import type {
  KeyedStateBackend,
  KeyedStateBackendOptions,
  KeyedStateSnapshot,
  SnapshotOptions,
  SnapshotRunner,
} from './keyed-state-backend.js';
import type { KeyedStateFactory } from './keyed-state-factory.js';
import { VOID_NAMESPACE, type Namespace } from './namespace.js';

/** A requested state as its backend holds it: what snapshots, restores and listings use. */
export interface RegisteredKeyedState<S> extends DescribedState {
  /** The descriptor the backend's factory was given (a decorator may have replaced the user's). */
  readonly descriptor: StateDescriptor<unknown>;
  /** The backend's own state object. */
  readonly state: S;
}

/** A restored state that no descriptor has requested yet, as a backend keeps it. */
export interface PendingRestoredState {
  readonly meta: KeyedSnapshotStateMeta;
}

/** The restored state a newly requested state starts from. */
export interface RestoringState<R> {
  readonly restored: R;
  /** Decodes (and migrates) its values for the requesting descriptor. */
  readonly decoder: RestoredStateDecoder;
}

/**
 * Where a state coming in with a restore goes, decided and checked by
 * {@link AbstractKeyedStateBackend.restoreDestination} before anything is changed: into a
 * registered state, joining restored state not yet requested, or kept as a new one.
 */
export type RestoreDestination<S, R> =
  | { readonly type: 'registered'; readonly registered: RegisteredKeyedState<S>; readonly decoder: RestoredStateDecoder }
  | { readonly type: 'pending'; readonly pending: R }
  | { readonly type: 'new' };

const STATE_KINDS: ReadonlySet<StateKind> = new Set<StateKind>(['value', 'list', 'map', 'reducing', 'aggregating']);

/**
 * The shared core of the keyed state backends.
 *
 * @typeParam C - the backend's key context, shared with its state objects
 * @typeParam S - the backend's state objects
 * @typeParam R - how the backend keeps a restored state that is not requested yet
 */
export abstract class AbstractKeyedStateBackend<C extends KeyContext, S extends InternalKvState, R extends PendingRestoredState>
  implements KeyedStateBackend
{
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  protected readonly ctx: C;
  protected readonly owner: string | undefined;
  /** Requested states by name, as the backend holds them. */
  protected readonly states = new Map<string, RegisteredKeyedState<S>>();
  /** Restored states that no descriptor has requested yet, by name. */
  protected readonly restored = new Map<string, R>();
  /** What `getPartitionedState` handed out by name, with the meta it was requested with. */
  private readonly handedOut = new Map<string, { readonly meta: KeyedSnapshotStateMeta; readonly state: InternalKvState }>();
  /**
   * Where every state object comes from: this backend's factory, wrapped by the
   * `stateFactoryDecorator` of the options when there is one. The one place that sees
   * every state of every kind on every backend (see keyed-state-factory.ts).
   */
  private readonly stateFactory: KeyedStateFactory;

  /**
   * @param createContext - makes the backend's key context, after the options are checked
   * @throws {@link ConfigError} if maxParallelism is out of range or the key-group range does not fit it
   */
  protected constructor(options: KeyedStateBackendOptions, createContext: (prefix: string) => C) {
    const { maxParallelism, keyGroupRange } = options;
    const prefix = ownerPrefix(options.owner);
    checkBackendOptions(maxParallelism, keyGroupRange, prefix);
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = keyGroupRange;
    this.owner = options.owner;
    this.ctx = createContext(prefix);
    const own: KeyedStateFactory = { createInternalState: (descriptor) => this.register(descriptor) };
    this.stateFactory = options.stateFactoryDecorator?.(own) ?? own;
  }

  setCurrentKey(key: Key): void {
    const ctx = this.ctx;
    if (key === ctx.key && typeof key !== 'object') return;
    if (ctx.disposed) throw this.disposedError();
    const keyGroup = ownedKeyGroup(key, this.maxParallelism, this.keyGroupRange, ctx.prefix);
    this.switchKey(key, keyGroup);
    ctx.key = key;
    ctx.keyGroup = keyGroup;
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
    const { meta } = describeState(descriptor);
    const existing = this.handedOut.get(descriptor.name);
    if (existing !== undefined) {
      checkSameState(existing.meta, meta, this.owner);
      return existing.state;
    }
    const state = this.stateFactory.createInternalState(descriptor);
    this.handedOut.set(descriptor.name, { meta, state });
    return state;
  }

  getKeys(stateName: string, namespace: Namespace = VOID_NAMESPACE): Key[] {
    return this.keysOf(this.requested(stateName), namespace);
  }

  getKeysAndNamespaces(stateName: string): Array<readonly [Key, Namespace]> {
    return this.keysAndNamespacesOf(this.requested(stateName));
  }

  hasState(stateName: string): boolean {
    return this.states.has(stateName) || this.restored.has(stateName);
  }

  restore(snapshots: readonly KeyedStateSnapshot[]): void {
    if (this.ctx.disposed) throw this.disposedError();
    this.restoreSnapshots(snapshots);
  }

  dispose(): void {
    const ctx = this.ctx;
    if (ctx.disposed) return;
    ctx.disposed = true;
    ctx.key = undefined;
    ctx.keyGroup = -1;
    this.releaseStorage();
    this.states.clear();
    this.restored.clear();
    this.handedOut.clear();
  }

  /**
   * The synchronous part of a snapshot for checkpoint `checkpointId` (see
   * {@link KeyedStateBackend.snapshot}); start with {@link AbstractKeyedStateBackend.checkSnapshot}.
   */
  abstract snapshot(checkpointId: number, options?: SnapshotOptions): SnapshotRunner;

  /** Points the key context at `key` (already checked to be in `keyGroup`, one of ours). */
  protected abstract switchKey(key: Key, keyGroup: number): void;

  /**
   * The backend's state factory: the backend's object of `descriptor.kind` (a known
   * kind), holding the values of `restoring` when the state was restored.
   */
  protected abstract createState(descriptor: StateDescriptor<unknown>, codec: StateBlockCodec, restoring: RestoringState<R> | undefined): S;

  /** Loads `snapshots` (not disposed); check everything, then change. */
  protected abstract restoreSnapshots(snapshots: readonly KeyedStateSnapshot[]): void;

  /** The keys of `registered` in `namespace`, taken now. */
  protected abstract keysOf(registered: RegisteredKeyedState<S>, namespace: Namespace): Key[];

  /** Every (key, namespace) of `registered`, taken now. */
  protected abstract keysAndNamespacesOf(registered: RegisteredKeyedState<S>): Array<readonly [Key, Namespace]>;

  /** Frees the storage once, when the backend is disposed (the key context is already reset). */
  protected abstract releaseStorage(): void;

  /**
   * Checks the synchronous part of a snapshot may start.
   *
   * @throws {@link StateAccessError} after dispose; RangeError for a bad checkpoint id
   */
  protected checkSnapshot(checkpointId: number): void {
    if (this.ctx.disposed) throw this.disposedError();
    if (!Number.isSafeInteger(checkpointId) || checkpointId < 0) {
      throw new RangeError(`checkpoint id must be a non-negative safe integer, got ${checkpointId}`);
    }
  }

  /** Whose key groups a restore reads. */
  protected restoreTarget(): RestoreTarget {
    return { maxParallelism: this.maxParallelism, keyGroupRange: this.keyGroupRange, owner: this.owner };
  }

  /**
   * Where the restored state `incoming` goes, after checking it fits there: a registered
   * state must be able to read it (kind, serializers, version or `migrate`), restored
   * state not yet requested must be described the same way.
   *
   * @throws {@link RestoreError} naming the owner and the state when it does not fit
   */
  protected restoreDestination(incoming: KeyedSnapshotStateMeta): RestoreDestination<S, R> {
    const registered = this.states.get(incoming.name);
    if (registered !== undefined) {
      return { type: 'registered', registered, decoder: resolveRestoredState(incoming, registered.descriptor, this.owner) };
    }
    const pending = this.restored.get(incoming.name);
    if (pending === undefined) return { type: 'new' };
    checkRestoredAgainAs(pending.meta, incoming, this.ctx.prefix);
    return { type: 'pending', pending };
  }

  protected disposedError(): StateAccessError {
    return new StateAccessError(`${this.ctx.prefix}the keyed state backend was used after it was disposed`);
  }

  /** This backend's own {@link KeyedStateFactory}: registers `descriptor` and creates its state. */
  private register(descriptor: StateDescriptor<unknown>): S {
    const described = describeState(descriptor);
    const restored = this.restored.get(descriptor.name);
    const restoring =
      restored === undefined ? undefined : { restored, decoder: resolveRestoredState(restored.meta, descriptor, this.owner) };
    if (!STATE_KINDS.has(descriptor.kind)) {
      throw new StateAccessError(`${this.ctx.prefix}state '${descriptor.name}' has unknown kind '${String(descriptor.kind)}'`);
    }
    const state = this.createState(descriptor, described.codec, restoring);
    this.restored.delete(descriptor.name);
    this.states.set(descriptor.name, { ...described, descriptor, state });
    return state;
  }

  /** The registered state `stateName`, for the listing methods. */
  private requested(stateName: string): RegisteredKeyedState<S> {
    if (this.ctx.disposed) throw this.disposedError();
    const registered = this.states.get(stateName);
    if (registered === undefined) {
      throw new StateAccessError(
        `${this.ctx.prefix}no keyed state named '${stateName}' has been requested; request it with its descriptor before listing its keys`,
      );
    }
    return registered;
  }
}
