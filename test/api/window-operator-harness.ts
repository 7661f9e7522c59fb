/**
 * Drives a window operator by hand, as a task would: the operator comes from the real
 * `keyBy(...).window(...)` API (the stream graph node's factory), runs on a keyed state
 * backend of the chosen kind (heap by default; {@link windowHarnesses} for a suite run
 * against every backend) with a fake processing time service, and records what it emits.
 * Records carry their timestamp as the chain would give it; watermarks are direct calls.
 */
import { afterEach } from 'vitest';
import { KeyGroupRange } from '../../src/core/key-group-range.js';
import type { Key } from '../../src/core/key-encoding.js';
import { keyGroupRangeForOperator, assignToKeyGroup } from '../../src/core/key-groups.js';
import type { DataStream } from '../../src/api/data-stream.js';
import { StreamExecutionEnvironment } from '../../src/api/environment.js';
import type { KeyedStream } from '../../src/api/keyed-stream.js';
import type { WindowOperator } from '../../src/api/operators/window-operator.js';
import type { OperatorSetup, StreamOperator } from '../../src/runtime/operators/stream-operator.js';
import type { KeyedStateBackend, KeyedStateBackendFactory, KeyedStateSnapshot } from '../../src/state/keyed-state-backend.js';
import type { StateBackendKind } from '../../src/state/state-backend-config.js';
import { createKeyedStateBackendFactory } from '../../src/state/state-backend-factory.js';
import { OperatorStateStore } from '../../src/state/operator/operator-state-store.js';
import { FakeProcessingTimeService } from '../runtime/time/fake-processing-time-service.js';

export const MAX_P = 128;

/** How {@link WindowHarness.open} sets up the operator. */
export interface WindowHarnessOptions {
  /** Key groups of the backend. @default all */
  readonly range?: KeyGroupRange;
  /** Snapshots to restore the backend from. */
  readonly snapshots?: readonly KeyedStateSnapshot[];
  readonly time?: FakeProcessingTimeService;
  readonly subtask?: number;
  readonly parallelism?: number;
  /** @default 'hashmap' */
  readonly backend?: StateBackendKind;
}

/** One backend factory per kind, shared by the harnesses of a test file (as by the tasks of a thread). */
const factories = new Map<StateBackendKind, Promise<KeyedStateBackendFactory>>();

function backendFactory(kind: StateBackendKind): Promise<KeyedStateBackendFactory> {
  let factory = factories.get(kind);
  if (factory === undefined) {
    factory = createKeyedStateBackendFactory({ kind }, { jobId: `window-harness-${process.pid}`, attemptNumber: 0 });
    factories.set(kind, factory);
  }
  return factory;
}

/** What the operator emitted, in order. */
export type Emitted<R> = { record: R; timestamp: number | undefined } | { watermark: number };

/** Makes fresh window operators for the pipeline `build` applies to a keyed stream. */
export function windowOperatorFactory<T, K extends Key, R>(
  key: (record: T) => K,
  build: (keyed: KeyedStream<T, K>) => DataStream<R>,
): { create: () => StreamOperator<T, R>; name: string; key: (record: T) => K } {
  const env = new StreamExecutionEnvironment();
  const out = build(env.fromCollection<T>([]).keyBy(key));
  const node = out.node!;
  return { create: () => node.operatorFactory!() as StreamOperator<T, R>, name: node.name, key };
}

/** A window operator under test. */
export class WindowHarness<T, K extends Key, R> {
  readonly emitted: Emitted<R>[] = [];
  /** What went to side outputs: `[tag id, record, timestamp]`. */
  readonly side: Array<[string, unknown, number | undefined]> = [];
  private timestamp: number | undefined;
  private disposed = false;

  private constructor(
    readonly operator: StreamOperator<T, R>,
    readonly backend: KeyedStateBackend,
    readonly time: FakeProcessingTimeService,
    private readonly key: (record: T) => K,
  ) {}

  /**
   * Opens an operator from `factory`, on a backend for `range` (all key groups by default)
   * restored from `snapshots` if given.
   */
  static async open<T, K extends Key, R>(
    factory: { create: () => StreamOperator<T, R>; key: (record: T) => K },
    options: WindowHarnessOptions = {},
  ): Promise<WindowHarness<T, K, R>> {
    const backend = (await backendFactory(options.backend ?? 'hashmap'))({
      maxParallelism: MAX_P,
      keyGroupRange: options.range ?? KeyGroupRange.of(0, MAX_P - 1),
      owner: "operator 'windows' (subtask 1/1)",
    });
    if (options.snapshots !== undefined) backend.restore(options.snapshots);
    const time = options.time ?? new FakeProcessingTimeService(0);
    const h = new WindowHarness<T, K, R>(factory.create(), backend, time, factory.key);
    const setup: OperatorSetup<R> = {
      info: {
        jobId: 'job',
        operatorName: 'windows',
        uid: 'windows',
        taskName: 'windows',
        subtaskIndex: options.subtask ?? 0,
        parallelism: options.parallelism ?? 1,
        maxParallelism: MAX_P,
        attemptNumber: 0,
        parameters: new Map(),
      },
      output: {
        collect: (record, timestamp) => h.emitted.push({ record, timestamp: timestamp ?? h.timestamp }),
        emitWatermark: (watermark) => h.emitted.push({ watermark }),
        emitSide: (tag, record, timestamp) => h.side.push([tag, record, timestamp ?? h.timestamp]),
      },
      keyedBackend: backend,
      operatorStateStore: new OperatorStateStore(),
      emitToCoordinator: () => {},
      processingTimeService: time,
      currentTimestamp: () => h.timestamp,
    };
    h.operator.setup(setup);
    await h.operator.initializeState?.();
    await h.operator.open?.();
    return h;
  }

  /** Processes `record` with `timestamp`, its key set first, as the chain does. */
  send(record: T, timestamp?: number): this {
    this.backend.setCurrentKey(this.key(record));
    this.timestamp = timestamp;
    try {
      this.operator.processElement(record);
    } finally {
      this.timestamp = undefined;
    }
    return this;
  }

  /** Processes each `[record, timestamp]`. */
  sendAll(records: Iterable<readonly [T, number | undefined]>): this {
    for (const [record, timestamp] of records) this.send(record, timestamp);
    return this;
  }

  watermark(watermark: number): this {
    this.operator.processWatermark!(watermark);
    return this;
  }

  /** The records emitted so far (not the watermarks). */
  records(): R[] {
    return this.emitted.flatMap((e) => ('record' in e ? [e.record] : []));
  }

  /** The records emitted so far with their timestamps. */
  stamped(): Array<[R, number | undefined]> {
    return this.emitted.flatMap((e): Array<[R, number | undefined]> => ('record' in e ? [[e.record, e.timestamp]] : []));
  }

  /** Records dropped as late. */
  get lateDropped(): number {
    return (this.operator as unknown as WindowOperator<K, T, unknown, R, never>).lateRecordsDropped;
  }

  /** How many (key, namespace) entries state `name` holds (0 when it does not exist). */
  entries(name: string): number {
    if (!this.backend.hasState(name)) return 0;
    try {
      return [...this.backend.getKeysAndNamespaces(name)].length;
    } catch {
      return 0; // restored but never requested
    }
  }

  async snapshot(checkpointId = 1): Promise<KeyedStateSnapshot> {
    return this.backend.snapshot(checkpointId).run();
  }

  /** Closes the operator and disposes the backend. */
  async close(): Promise<void> {
    try {
      await this.operator.close?.();
    } finally {
      this.dispose();
    }
  }

  /** Disposes the backend (its local files, for RocksDB); later calls do nothing. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.backend.dispose();
  }
}

/**
 * Opens harnesses on `backend` and disposes, after each test, the backends of those not
 * closed. Call it in a `describe` block: `const harness = windowHarnesses(backend)`.
 */
export function windowHarnesses(backend: StateBackendKind): {
  open<T, K extends Key, R>(
    factory: { create: () => StreamOperator<T, R>; key: (record: T) => K },
    options?: Omit<WindowHarnessOptions, 'backend'>,
  ): Promise<WindowHarness<T, K, R>>;
} {
  const opened: (() => void)[] = [];
  afterEach(() => {
    for (const dispose of opened.splice(0)) dispose();
  });
  return {
    async open(factory, options = {}) {
      const h = await WindowHarness.open(factory, { ...options, backend });
      opened.push(() => h.dispose());
      return h;
    },
  };
}

/** The key-group range of subtask `index` of `parallelism`. */
export function rangeOf(parallelism: number, index: number): KeyGroupRange {
  return keyGroupRangeForOperator(MAX_P, parallelism, index);
}

/** The subtask of `parallelism` that owns `key`. */
export function subtaskOf(key: Key, parallelism: number): number {
  const group = assignToKeyGroup(key, MAX_P);
  for (let i = 0; i < parallelism; i++) if (rangeOf(parallelism, i).contains(group)) return i;
  throw new Error(`no subtask owns key group ${group}`);
}
