/**
 * Non-keyed state of one parallel operator instance, as Flink's OperatorStateStore: list
 * state (even split on rescale), union list state and broadcast state, with snapshots as
 * plain bytes and restores that wait for a descriptor to claim each state.
 */
import { RestoreError, StateAccessError, StateSerializationError } from '../../core/errors.js';
import type { ListStateDescriptor, MapStateDescriptor, StateDescriptor, StateKind } from '../descriptors.js';
import { defaultSerializer, type TypeSerializer } from '../serializer.js';
import { kindChangedProblem } from '../restore-problems.js';
import type { BroadcastState, ListState } from '../state.js';
import { OperatorBroadcastState } from './operator-broadcast-state.js';
import { OperatorListState } from './operator-list-state.js';
import { cannotRestore, decodeBroadcastEntries, decodeListItems, serializerInfo } from './operator-state-restore.js';
import type { OperatorStateEntry, OperatorStateMode, OperatorStateSnapshot } from './operator-state-snapshot.js';

/** Where the store lives, so that error messages can say so. All optional. */
export interface OperatorStateStoreOptions {
  /** The operator's uid or name. */
  readonly operator?: string;
  /** This instance's subtask index (0-based). */
  readonly subtaskIndex?: number;
  /** The operator's parallelism. */
  readonly parallelism?: number;
}

type Registered =
  | { readonly mode: 'split' | 'union'; readonly descriptor: ListStateDescriptor<unknown>; readonly state: OperatorListState<unknown> }
  | {
      readonly mode: 'broadcast';
      readonly descriptor: MapStateDescriptor<unknown, unknown>;
      readonly state: OperatorBroadcastState<unknown, unknown>;
    };

const ACCESSORS: Record<OperatorStateMode, string> = {
  split: 'list state (getListState)',
  union: 'union list state (getUnionListState)',
  broadcast: 'broadcast state (getBroadcastState)',
};

/**
 * The operator state of one parallel instance.
 *
 * Lifecycle: create, optionally {@link OperatorStateStore.restore} once, then let the
 * function register its states (typically in `initializeState`); call
 * {@link OperatorStateStore.snapshot} at each checkpoint. Restored data for a name is
 * kept as bytes until a descriptor claims it, and is carried into later snapshots
 * unchanged if none does.
 *
 * Values are copied in and out, so mutating an object after `add`/`put`, or one returned
 * by `get`, never changes the stored state.
 */
export class OperatorStateStore {
  private readonly registered = new Map<string, Registered>();
  private readonly pending = new Map<string, OperatorStateEntry>();
  private restored = false;
  private readonly where: string;

  constructor(options: OperatorStateStoreOptions = {}) {
    this.where = describeOwner(options);
  }

  /**
   * The list state named by `desc`, redistributed by **even split** when the parallelism
   * changes: the items of all old instances are concatenated and cut into contiguous runs.
   *
   * @throws {@link StateAccessError} if the name is already used with another mode or kind
   * @throws {@link RestoreError} naming the operator and the state if the restored state
   * has another mode or serializer, a newer version, an older one and no `migrate`, or its
   * bytes cannot be decoded or migrated
   */
  getListState<T>(desc: ListStateDescriptor<T>): ListState<T> {
    return this.listState(desc, 'split');
  }

  /**
   * The list state named by `desc`, redistributed by **union**: after a restore, every
   * instance receives all items of all old instances.
   *
   * @throws {@link StateAccessError} / {@link RestoreError} as {@link OperatorStateStore.getListState}
   */
  getUnionListState<T>(desc: ListStateDescriptor<T>): ListState<T> {
    return this.listState(desc, 'union');
  }

  /**
   * The broadcast state named by `desc`: a map meant to be the same on every instance; a
   * restore gives new instance *i* the copy of old instance *i mod oldParallelism*.
   * Keys must be strings, numbers, bigints, booleans or tuples of those.
   *
   * @throws {@link StateAccessError} / {@link RestoreError} as {@link OperatorStateStore.getListState}
   */
  getBroadcastState<K, V>(desc: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    this.checkKind(desc, 'map', 'MapStateDescriptor', 'broadcast');
    const existing = this.existing(desc.name, 'broadcast');
    if (existing !== undefined) return existing.state as OperatorBroadcastState<K, V>;
    const state = new OperatorBroadcastState<K, V>(desc.name);
    const entry = this.claim(desc.name, 'broadcast');
    if (entry?.mode === 'broadcast') {
      const entries = decodeBroadcastEntries(this.where, entry, desc);
      try {
        state.restoreEntries(entries);
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new RestoreError(`${cannotRestore(this.where, desc.name)}a restored broadcast key is invalid: ${reason}`, { cause });
      }
    }
    this.registered.set(desc.name, {
      mode: 'broadcast',
      descriptor: desc as MapStateDescriptor<unknown, unknown>,
      state: state as OperatorBroadcastState<unknown, unknown>,
    });
    this.pending.delete(desc.name);
    return state;
  }

  /**
   * Whether this store was restored from a snapshot (even one without state for this
   * instance), as Flink's `FunctionInitializationContext.isRestored()`.
   */
  isRestored(): boolean {
    return this.restored;
  }

  /** The names of all registered states and of restored states not claimed yet, sorted. */
  getStateNames(): string[] {
    return [...new Set([...this.registered.keys(), ...this.pending.keys()])].sort();
  }

  /**
   * The state of this instance as bytes: every registered state, serialized item by item
   * with its descriptor's serializer (or the default), plus restored states that no
   * descriptor has claimed, unchanged. States are sorted by name.
   *
   * @throws {@link StateSerializationError} naming the state if a value cannot be serialized
   */
  snapshot(): OperatorStateSnapshot {
    const states: OperatorStateEntry[] = [...this.pending.values()];
    for (const [name, reg] of this.registered) {
      const serializer = (reg.descriptor.serializer ?? defaultSerializer()) as TypeSerializer<unknown>;
      const descriptorVersion = reg.descriptor.version;
      if (reg.mode === 'broadcast') {
        const keySerializer = (reg.descriptor.keySerializer ?? defaultSerializer()) as TypeSerializer<unknown>;
        const entries = [...reg.state.storedEntries()].map(
          ([key, value], i) =>
            [this.encode(name, keySerializer, key, `key of entry ${i}`), this.encode(name, serializer, value, `value of entry ${i}`)] as const,
        );
        states.push({
          name,
          mode: 'broadcast',
          descriptorVersion,
          serializer: serializerInfo(serializer),
          keySerializer: serializerInfo(keySerializer),
          entries,
        });
      } else {
        const items = reg.state.storedItems().map((item, i) => this.encode(name, serializer, item, `item ${i}`));
        states.push({ name, mode: reg.mode, descriptorVersion, serializer: serializerInfo(serializer), items });
      }
    }
    states.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { states };
  }

  /**
   * Loads a snapshot (usually one produced by {@link redistributeOperatorState}). Its
   * states are decoded only when a descriptor claims them.
   *
   * @throws {@link RestoreError} if the store was already restored, already has states,
   * or the snapshot names a state twice
   */
  restore(snapshot: OperatorStateSnapshot): void {
    if (this.restored) throw new RestoreError(`${this.where}operator state store was already restored`);
    if (this.registered.size > 0) {
      throw new RestoreError(
        `${this.where}operator state must be restored before any state is registered (registered: ${[...this.registered.keys()].join(', ')})`,
      );
    }
    const pending = new Map<string, OperatorStateEntry>();
    for (const entry of snapshot.states) {
      if (pending.has(entry.name)) throw new RestoreError(`${this.where}operator state '${entry.name}' appears twice in the snapshot`);
      pending.set(entry.name, entry);
    }
    for (const [name, entry] of pending) this.pending.set(name, entry);
    this.restored = true;
  }

  private listState<T>(desc: ListStateDescriptor<T>, mode: 'split' | 'union'): ListState<T> {
    this.checkKind(desc, 'list', 'ListStateDescriptor', mode);
    const existing = this.existing(desc.name, mode);
    if (existing !== undefined) return existing.state as OperatorListState<T>;
    const state = new OperatorListState<T>(desc.name);
    const entry = this.claim(desc.name, mode);
    if (entry !== undefined && entry.mode !== 'broadcast') state.restoreItems(decodeListItems(this.where, entry, desc));
    this.registered.set(desc.name, {
      mode,
      descriptor: desc as ListStateDescriptor<unknown>,
      state: state as OperatorListState<unknown>,
    });
    this.pending.delete(desc.name);
    return state;
  }

  private checkKind(
    desc: StateDescriptor<unknown>,
    expected: StateKind,
    expectedName: string,
    mode: OperatorStateMode,
  ): void {
    // by kind, not instanceof: the descriptor may come from another copy of Eddy than the store
    if ((desc as { kind?: unknown } | undefined)?.kind !== expected) {
      const given = desc as { kind?: unknown; name?: unknown } | undefined;
      throw new StateAccessError(
        `${this.where}operator state '${String(given?.name)}': ${ACCESSORS[mode]} needs a ${expectedName}, ` +
          `got a descriptor of kind '${String(given?.kind)}'`,
      );
    }
  }

  /** The registered state of that name, if its mode matches; a mismatch is an error. */
  private existing(name: string, mode: OperatorStateMode): Registered | undefined {
    const reg = this.registered.get(name);
    if (reg !== undefined && reg.mode !== mode) {
      throw new StateAccessError(
        `${this.where}operator state '${name}' is registered as ${ACCESSORS[reg.mode]}; it cannot also be used as ${ACCESSORS[mode]}`,
      );
    }
    return reg;
  }

  /** The restored data of that name, if any; a mode mismatch is an error. */
  private claim(name: string, mode: OperatorStateMode): OperatorStateEntry | undefined {
    const entry = this.pending.get(name);
    if (entry !== undefined && entry.mode !== mode) {
      throw new RestoreError(cannotRestore(this.where, name) + kindChangedProblem(ACCESSORS[entry.mode], ACCESSORS[mode]));
    }
    return entry;
  }

  private encode(name: string, serializer: TypeSerializer<unknown>, value: unknown, what: string): Uint8Array {
    try {
      return serializer.serialize(value);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new StateSerializationError(
        `${this.where}operator state '${name}': cannot serialize ${what} with serializer '${serializer.id}': ${reason}`,
        { cause },
      );
    }
  }
}

function describeOwner({ operator, subtaskIndex, parallelism }: OperatorStateStoreOptions): string {
  if (operator === undefined) return '';
  const subtask = subtaskIndex !== undefined && parallelism !== undefined ? ` (subtask ${subtaskIndex + 1}/${parallelism})` : '';
  return `operator '${operator}'${subtask}: `;
}
