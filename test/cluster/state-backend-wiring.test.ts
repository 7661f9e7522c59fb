/**
 * The chosen state backend reaches the tasks without any change to the job: the factory
 * picks the heap backend for `hashmap` and the RocksDB module for `rocksdb`, with the
 * run's job id and attempt; every keyed operator subtask gets an instance name unique in
 * the job; and a backend that cannot load fails the run before the job is even built.
 *
 * The RocksDB module and librocksdb loader are replaced here by recording stand-ins on the
 * heap, so this tests the wiring, not RocksDB (the matrix suites run RocksDB itself).
 */
import { describe, expect, it, vi } from 'vitest';
import { defineJob, RichMapFunction, runJob, Sinks, startJob } from '../../src/index.js';
import type { RuntimeContext } from '../../src/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.js';
import { keyedBackendInstanceName } from '../../src/state/keyed-backend-instance-name.js';
import { KeyGroupRange } from '../../src/core/key-group-range.js';
import type { KeyedStateBackendOptions } from '../../src/state/keyed-state-backend.js';
import type { RocksDBStateBackendConfig } from '../../src/state/state-backend-config.js';
import type { StateBackendContext } from '../../src/state/state-backend-factory.js';
import { checkStateBackendAvailable, createKeyedStateBackendFactory } from '../../src/state/state-backend-factory.js';

const rocks = vi.hoisted(() => ({
  factories: [] as { config: RocksDBStateBackendConfig; context: StateBackendContext }[],
  instances: [] as KeyedStateBackendOptions[],
  /** What loading librocksdb does; a test may make it throw. */
  load: (): void => {},
}));

vi.mock('../../src/state/rocksdb/rocksdb-keyed-state-backend.js', async () => {
  const { createHeapKeyedStateBackend } = await import('../../src/state/heap/heap-keyed-state-backend.js');
  return {
    createRocksDBBackendFactory(config: RocksDBStateBackendConfig, context: StateBackendContext) {
      rocks.factories.push({ config, context });
      return (options: KeyedStateBackendOptions) => {
        rocks.instances.push(options);
        return createHeapKeyedStateBackend(options);
      };
    },
  };
});

vi.mock('../../src/state/rocksdb/native/rocksdb-library.js', () => ({
  loadRocksDB: () => rocks.load(),
  isRocksDBAvailable: () => true,
}));

const OPTIONS: KeyedStateBackendOptions = { maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) };

/** Fails the first attempt at its 50th record, so the job runs a second attempt. */
class FailFirstAttempt extends RichMapFunction<number, number> {
  private attempt = 0;
  private seen = 0;
  override open(ctx: RuntimeContext): void {
    this.attempt = ctx.getAttemptNumber();
  }
  map(n: number): number {
    if (this.attempt === 0 && ++this.seen === 50) throw new Error('planned failure');
    return n;
  }
}

/** Two keyed operators, one with a uid that is no safe file name. */
const job = defineJob((env) => {
  env
    .fromSequence(0, 399)
    .map(new FailFirstAttempt())
    .keyBy((n) => n % 10)
    .reduce((a, b) => a + b)
    .uid('Sum/Per Key')
    .keyBy((n) => n % 3)
    .reduce((a, b) => Math.max(a, b))
    .uid('max')
    .sinkTo(Sinks.collect('out'));
});

describe('createKeyedStateBackendFactory', () => {
  it('creates heap backends for hashmap, without touching the RocksDB module', async () => {
    rocks.factories.length = 0;
    const factory = await createKeyedStateBackendFactory({ kind: 'hashmap' }, { jobId: 'j', attemptNumber: 0 });
    const backend = factory(OPTIONS);
    expect(backend).toBeInstanceOf(HeapKeyedStateBackend);
    backend.dispose();
    expect(rocks.factories).toEqual([]);
  });

  it('hands a rocksdb config and the run context to the RocksDB module', async () => {
    rocks.factories.length = 0;
    const config = { kind: 'rocksdb', memoryBytes: 64 * 1024 * 1024 } as const;
    await createKeyedStateBackendFactory(config, { jobId: 'j', attemptNumber: 3 });
    expect(rocks.factories).toEqual([{ config, context: { jobId: 'j', attemptNumber: 3 } }]);
  });

  it('checks that librocksdb loads only for rocksdb', async () => {
    let loads = 0;
    rocks.load = () => void loads++;
    await checkStateBackendAvailable({ kind: 'hashmap' });
    expect(loads).toBe(0);
    await checkStateBackendAvailable({ kind: 'rocksdb' });
    expect(loads).toBe(1);
    rocks.load = () => {};
  });
});

describe('a run with a chosen state backend', () => {
  it('gives each keyed operator subtask of each attempt a backend with a unique instance name, and the factory the job id and attempt', async () => {
    rocks.factories.length = 0;
    rocks.instances.length = 0;
    const stateBackend = { kind: 'rocksdb', incrementalCheckpoints: false } as const;
    const result = await runJob(job, {
      execution: 'single-thread',
      parallelism: 2,
      stateBackend,
      restartStrategy: { type: 'fixed-delay', attempts: 1, delayMs: 0 },
    });
    expect(result.restarts).toBe(1);
    // one factory per thread and attempt, each with the validated config
    expect(rocks.factories).toEqual([
      { config: stateBackend, context: { jobId: result.jobId, attemptNumber: 0 } },
      { config: stateBackend, context: { jobId: result.jobId, attemptNumber: 1 } },
    ]);
    const expected = [0, 1].flatMap((attempt) =>
      ['Sum/Per Key', 'max'].flatMap((uid) => [0, 1].map((subtask) => keyedBackendInstanceName(uid, subtask, attempt))),
    );
    const names = rocks.instances.map((o) => o.instanceName);
    expect([...names].sort()).toEqual([...expected].sort());
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('op-max-1-a1');
    expect(rocks.instances.map((o) => o.owner)).toContain("operator 'Sum/Per Key' (subtask 2/2)");
  });

  it('uses the heap by default, without loading the RocksDB module', async () => {
    rocks.factories.length = 0;
    const client = await startJob(job, { execution: 'single-thread', restartStrategy: { type: 'fixed-delay', attempts: 1, delayMs: 0 } });
    expect(client.details().stateBackend).toBe('hashmap');
    expect((await client.result).status).toBe('finished');
    expect(rocks.factories).toEqual([]);
  });

  it('fails at start-up, before the job is built, when librocksdb cannot be loaded', async () => {
    let built = 0;
    const counted = defineJob((env) => {
      built++;
      env.fromSequence(0, 9).sinkTo(Sinks.collect('out'));
    });
    rocks.load = () => {
      throw new ConfigError("the rocksdb state backend needs librocksdb … Install it with 'sudo apt-get install librocksdb-dev'");
    };
    try {
      await expect(startJob(counted, { execution: 'single-thread', stateBackend: 'rocksdb' })).rejects.toThrow(/needs librocksdb.*apt-get install librocksdb-dev/);
      expect(built).toBe(0);
      // the heap backend needs no library
      expect((await runJob(counted, { execution: 'single-thread', stateBackend: 'hashmap' })).status).toBe('finished');
    } finally {
      rocks.load = () => {};
    }
  });
});
