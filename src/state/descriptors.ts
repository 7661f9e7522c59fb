/**
 * State descriptors name a piece of state and say how to store it. The same descriptor
 * classes serve keyed state (through the RuntimeContext) and operator state (through the
 * operator state store).
 */
import type { AggregateFunction, ReduceFunction } from './state.js';
import type { TypeSerializer } from './serializer.js';

/** The five keyed state kinds. */
export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

/** Options every descriptor accepts. */
export interface StateDescriptorOptions<T> {
  /** How values are turned into bytes. @default MessagePack ({@link MsgpackSerializer}) */
  serializer?: TypeSerializer<T>;
  /**
   * The version of this state's value schema. Bump it when the shape of stored values
   * changes, and give {@link StateDescriptorOptions.migrate}. @default 1
   */
  version?: number;
  /** Converts a value written under an older `version` into the current shape. */
  migrate?: (old: unknown, fromVersion: number) => T;
}

/** What all descriptors share. */
export abstract class StateDescriptor<T = unknown> {
  abstract readonly kind: StateKind;
  readonly name: string;
  readonly serializer: TypeSerializer<T> | undefined;
  readonly version: number;
  readonly migrate: ((old: unknown, fromVersion: number) => T) | undefined;

  constructor(name: string, options: StateDescriptorOptions<T> = {}) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new TypeError('a state descriptor needs a non-empty name');
    }
    this.name = name;
    this.serializer = options.serializer;
    this.version = options.version ?? 1;
    this.migrate = options.migrate;
    if (!Number.isInteger(this.version) || this.version < 1) {
      throw new TypeError(`state '${name}': version must be an integer >= 1, got ${String(options.version)}`);
    }
  }
}

/** Describes a {@link ValueState}. */
export class ValueStateDescriptor<T> extends StateDescriptor<T> {
  readonly kind = 'value' as const;
}

/** Describes a {@link ListState}; `serializer` is for one element. */
export class ListStateDescriptor<T> extends StateDescriptor<T> {
  readonly kind = 'list' as const;
}

/** Options of a {@link MapStateDescriptor}. */
export interface MapStateDescriptorOptions<UK, UV> extends StateDescriptorOptions<UV> {
  /** Serializer of the map's keys. @default MessagePack */
  keySerializer?: TypeSerializer<UK>;
}

/** Describes a {@link MapState} (or, as operator state, a broadcast state); `serializer` is for values. */
export class MapStateDescriptor<UK, UV> extends StateDescriptor<UV> {
  readonly kind = 'map' as const;
  readonly keySerializer: TypeSerializer<UK> | undefined;
  constructor(name: string, options: MapStateDescriptorOptions<UK, UV> = {}) {
    super(name, options);
    this.keySerializer = options.keySerializer;
  }
}

/** Describes a {@link ReducingState}. */
export class ReducingStateDescriptor<T> extends StateDescriptor<T> {
  readonly kind = 'reducing' as const;
  readonly reduceFunction: ReduceFunction<T>;
  constructor(name: string, reduceFunction: ReduceFunction<T>, options: StateDescriptorOptions<T> = {}) {
    super(name, options);
    this.reduceFunction = reduceFunction;
  }
}

/** Describes an {@link AggregatingState}; `serializer` is for the accumulator. */
export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<ACC> {
  readonly kind = 'aggregating' as const;
  readonly aggregateFunction: AggregateFunction<IN, ACC, OUT>;
  constructor(
    name: string,
    aggregateFunction: AggregateFunction<IN, ACC, OUT>,
    options: StateDescriptorOptions<ACC> = {},
  ) {
    super(name, options);
    this.aggregateFunction = aggregateFunction;
  }
}
