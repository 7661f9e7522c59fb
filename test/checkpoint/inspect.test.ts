/**
 * `eddy inspect` as a library: a checkpoint is written with the real writers (heap keyed
 * backends, operator state stores, the file system storage), then its description and
 * the dump of each kind of state are checked entry by entry and byte by byte.
 */
import { cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointMetadata, OperatorSubtaskState } from '../../src/checkpoint/checkpoint-metadata.js';
import { inspectCheckpoint, type StateDescription } from '../../src/checkpoint/inspect/checkpoint-inspection.js';
import { OpaqueBytes, toInspectJson } from '../../src/checkpoint/inspect/inspect-json.js';
import { dumpState, splitStateSelector, type StateDumpLine } from '../../src/checkpoint/inspect/state-dump.js';
import { CheckpointCorruptedError } from '../../src/checkpoint/storage/checkpoint-corrupted-error.js';
import { corruptCheckpointFile } from '../../src/checkpoint/storage/checkpoint-corruption.js';
import { FileSystemCheckpointStorage } from '../../src/checkpoint/storage/checkpoint-storage.js';
import { stateFileName } from '../../src/checkpoint/storage/state-file-name.js';
import { ConfigError } from '../../src/core/errors.js';
import { encodeKey, type Key } from '../../src/core/key-encoding.js';
import { assignToKeyGroup, keyGroupRangeForOperator, operatorIndexForKeyGroup } from '../../src/core/key-groups.js';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../src/state/descriptors.js';
import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.js';
import { readKeyedSnapshotHeader } from '../../src/state/keyed-snapshot/keyed-snapshot-reader.js';
import { VOID_NAMESPACE } from '../../src/state/namespace.js';
import { encodeOperatorStateSnapshot } from '../../src/state/operator/operator-state-snapshot.js';
import { OperatorStateStore } from '../../src/state/operator/operator-state-store.js';
import { MsgpackSerializer, type TypeSerializer } from '../../src/state/serializer.js';

const JOB_ID = 'f00dfeedf00dfeedf00dfeedf00dfeed';
const CHECKPOINT_ID = 7;
const MAX_P = 128;
/** The keyed operator's parallelism; none of its keys falls into subtask 0. */
const KEYED_P = 3;
const SOURCE_UID = 'source/events';
const OTHER_UID = 'sessions/by';

/** A serializer `eddy inspect` does not know: its values are dumped as bytes. */
const utf8: TypeSerializer<string> = {
  id: 'test.utf8',
  version: 2,
  serialize: (s) => new TextEncoder().encode(s),
  deserialize: (b) => new TextDecoder().decode(b),
};

const BIG = 2n ** 70n;
const TUPLE: Key = ['user', 42];
/** A value with everything JSON cannot hold as it is. */
const PROFILE = {
  tags: new Set(['a', 'b']),
  since: new Date(0),
  scores: new Map<unknown, unknown>([['m', NaN], [1n, -Infinity]]),
  big: BIG,
  none: undefined,
  $ref: 'looks like a marker',
};

let root: string;
let directory: string;
let metadataBytes: number;
const fileSizes = new Map<string, number>();

/** Writes checkpoint 7 of a job with a source (operator state, positions) and a keyed operator. */
async function writeCheckpoint(): Promise<string> {
  const storage = new FileSystemCheckpointStorage({ directory: root, jobId: JOB_ID });

  // keyed operator 'sessions' at parallelism 3: one heap backend per subtask
  const backends = Array.from({ length: KEYED_P }, (_, i) => {
    const backend = new HeapKeyedStateBackend({ maxParallelism: MAX_P, keyGroupRange: keyGroupRangeForOperator(MAX_P, KEYED_P, i) });
    return {
      backend,
      count: backend.getPartitionedState(new ValueStateDescriptor<number>('count')),
      lastSeen: backend.getPartitionedState(new MapStateDescriptor<string, number>('lastSeen')),
      events: backend.getPartitionedState(new ListStateDescriptor<unknown>('events')),
      profile: backend.getPartitionedState(new ValueStateDescriptor<unknown>('profile')),
      secret: backend.getPartitionedState(new ValueStateDescriptor<string>('secret', { serializer: utf8 })),
      byDay: backend.getPartitionedState(new ValueStateDescriptor<number>('by/day')),
    };
  });
  const at = (key: Key) => {
    const owner = backends[operatorIndexForKeyGroup(MAX_P, KEYED_P, assignToKeyGroup(key, MAX_P))]!;
    owner.backend.setCurrentKey(key);
    return owner;
  };
  at('alice').count.update(3);
  const alice = at('alice');
  alice.count.setCurrentNamespace([0, 10]);
  alice.count.update(1);
  alice.count.setCurrentNamespace(VOID_NAMESPACE);
  at('alice').lastSeen.putAll([['home', 100], ['cart', 200]]);
  at('alice').events.addAll(['login', 'click']);
  at(TUPLE).count.update(1);
  at(TUPLE).lastSeen.put('home', 5);
  at(TUPLE).secret.update('hi');
  at(TUPLE).byDay.update(9);
  at(-5n).count.update(2);
  at(-5n).events.add({ page: 'home', at: 1 });
  at(BIG).profile.update(PROFILE);
  at(Infinity).profile.update({ bytes: Uint8Array.of(1, 2, 3) });

  const operators: CheckpointMetadata['operators'][number][] = [];
  const keyedSubtasks: OperatorSubtaskState[] = [];
  for (let i = 0; i < KEYED_P; i++) {
    const { bytes } = await backends[i]!.backend.snapshot(CHECKPOINT_ID).run();
    const header = readKeyedSnapshotHeader(bytes);
    if (header.keyGroups.length === 0) continue; // as the task checkpointer does: no file for no state
    const handle = await storage.writeStateFile(CHECKPOINT_ID, storage.stateFileName('sessions', i, 'keyed'), bytes);
    fileSizes.set(`sessions/${i}`, handle.size);
    keyedSubtasks.push({
      subtaskIndex: i,
      keyed: {
        ...handle,
        keyGroupRange: [header.keyGroupRange.startKeyGroup, header.keyGroupRange.endKeyGroup],
        keyGroups: header.keyGroups.map(({ keyGroup, offset, length }) => ({ keyGroup, offset, length })),
      },
    });
  }

  // source at parallelism 2: list, union and broadcast operator state, and a read position
  const sourceSubtasks: OperatorSubtaskState[] = [];
  const sourceState = [
    { offsets: [10, 11], marks: ['a'], rule: 1, position: { next: 5, split: 'a/ü' } },
    { offsets: [20], marks: ['b', 'c'], rule: 2, position: { next: 7 } },
  ];
  for (const [i, s] of sourceState.entries()) {
    const store = new OperatorStateStore();
    store.getListState(new ListStateDescriptor<number>('offsets')).addAll(s.offsets);
    store.getUnionListState(new ListStateDescriptor<string>('marks')).addAll(s.marks);
    const config = store.getBroadcastState(new MapStateDescriptor<unknown, unknown>('config'));
    config.put('mode', 'fast');
    config.put(['t', 1], 123n);
    store.getBroadcastState(new MapStateDescriptor<string, number>('rules')).put('r', s.rule);
    const bytes = encodeOperatorStateSnapshot(store.snapshot());
    const handle = await storage.writeStateFile(CHECKPOINT_ID, storage.stateFileName(SOURCE_UID, i, 'operator'), bytes);
    fileSizes.set(`${SOURCE_UID}/${i}`, handle.size);
    sourceSubtasks.push({ subtaskIndex: i, operatorState: handle, sourcePosition: s.position });
  }
  operators.push({ uid: SOURCE_UID, name: 'Source: events', parallelism: 2, maxParallelism: MAX_P, subtasks: sourceSubtasks });
  operators.push({ uid: 'sessions', name: 'sessions', parallelism: KEYED_P, maxParallelism: MAX_P, subtasks: keyedSubtasks });

  // an operator whose uid is a prefix of 'sessions/by/day', to make that selector ambiguous
  const other = new OperatorStateStore();
  other.getListState(new ListStateDescriptor<number>('other')).add(1);
  const otherHandle = await storage.writeStateFile(CHECKPOINT_ID, storage.stateFileName(OTHER_UID, 0, 'operator'), encodeOperatorStateSnapshot(other.snapshot()));
  fileSizes.set(`${OTHER_UID}/0`, otherHandle.size);
  operators.push({ uid: OTHER_UID, name: 'other', parallelism: 1, maxParallelism: MAX_P, subtasks: [{ subtaskIndex: 0, operatorState: otherHandle }] });

  return storage.writeMetadata({
    format: 'eddy-checkpoint',
    version: 1,
    jobId: JOB_ID,
    checkpointId: CHECKPOINT_ID,
    kind: 'checkpoint',
    triggerTimestamp: 1_700_000_000_000,
    completionTimestamp: 1_700_000_000_042,
    operators,
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-inspect-'));
  directory = await writeCheckpoint();
  metadataBytes = (await stat(join(directory, '_metadata'))).size;
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

// --- expected sizes, computed from the formats (docs/STATE.md, docs/OPERATOR-STATE.md) ---
const msgpack = new MsgpackSerializer<unknown>();
const packed = (value: unknown) => msgpack.serialize(value).length;
const varint = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : 3);
const field = (length: number) => varint(length) + length;
/** Key, namespace tag and namespace of a keyed entry. */
const head = (key: Key, namespace?: Key) =>
  field(encodeKey(key).length) + 1 + (namespace === undefined ? 0 : field(encodeKey(namespace).length));
const single = (value: unknown, length = packed(value)) => field(length);
const list = (values: unknown[]) => varint(values.length) + values.reduce<number>((n, v) => n + field(packed(v)), 0);
const map = (pairs: [Key, unknown][]) =>
  varint(pairs.length) + pairs.reduce<number>((n, [k, v]) => n + field(encodeKey(k).length) + field(packed(v)), 0);
const items = (values: unknown[]) => values.reduce<number>((n, v) => n + packed(v), 0);

function keyedState(
  name: string,
  kind: StateDescription['kind'],
  entries: number,
  bytes: number,
  extra: Partial<StateDescription> = {},
): StateDescription {
  return {
    name,
    scope: 'keyed',
    kind,
    serializer: { id: 'eddy.msgpack', version: 1 },
    ...(kind === 'map' ? { keySerializer: { id: 'eddy.key', version: 1 } } : {}),
    descriptorVersion: 1,
    entries,
    ...(kind === 'list' || kind === 'map' ? { elements: 0 } : {}),
    bytes,
    ...extra,
  };
}

function operatorState(name: string, kind: 'list' | 'union' | 'broadcast', entries: number, bytes: number): StateDescription {
  return {
    name,
    scope: 'operator',
    kind,
    serializer: { id: 'eddy.msgpack', version: 1 },
    ...(kind === 'broadcast' ? { keySerializer: { id: 'eddy.msgpack', version: 1 } } : {}),
    descriptorVersion: 1,
    entries,
    bytes,
  };
}

async function collect(selector: string, onWarning?: (message: string) => void): Promise<StateDumpLine[]> {
  const lines: StateDumpLine[] = [];
  for await (const line of dumpState(directory, selector, onWarning ? { onWarning } : {})) lines.push(line);
  // what the CLI prints: every line must survive JSON unchanged
  expect(JSON.parse(JSON.stringify(lines))).toEqual(lines);
  return lines;
}

describe('inspectCheckpoint', () => {
  it('describes the checkpoint, every operator, subtask and state, with entries and bytes read from the files', async () => {
    // subtask 1 holds -5n (key group 60) and ['user', 42] (61); subtask 2 holds Infinity (88), 2n ** 70n (91) and 'alice' (100)
    const sub1 = [
      keyedState('count', 'value', 2, head(-5n) + single(2) + head(TUPLE) + single(1)),
      keyedState('lastSeen', 'map', 1, head(TUPLE) + map([['home', 5]]), { elements: 1 }),
      keyedState('events', 'list', 1, head(-5n) + list([{ page: 'home', at: 1 }]), { elements: 1 }),
      keyedState('profile', 'value', 0, 0),
      keyedState('secret', 'value', 1, head(TUPLE) + single('hi', 2), { serializer: { id: 'test.utf8', version: 2 } }),
      keyedState('by/day', 'value', 1, head(TUPLE) + single(9)),
    ];
    const sub2 = [
      keyedState('count', 'value', 2, head('alice') + single(3) + head('alice', [0, 10]) + single(1)),
      keyedState('lastSeen', 'map', 1, head('alice') + map([['home', 100], ['cart', 200]]), { elements: 2 }),
      keyedState('events', 'list', 1, head('alice') + list(['login', 'click']), { elements: 2 }),
      keyedState('profile', 'value', 2, head(BIG) + single(PROFILE) + head(Infinity) + single({ bytes: Uint8Array.of(1, 2, 3) })),
      keyedState('secret', 'value', 0, 0, { serializer: { id: 'test.utf8', version: 2 } }),
      keyedState('by/day', 'value', 0, 0),
    ];
    const configBytes = packed('mode') + packed('fast') + packed(['t', 1]) + packed(123n);
    const sourceStates = (offsets: number[], marks: string[], rule: number) => [
      operatorState('config', 'broadcast', 2, configBytes),
      operatorState('marks', 'union', marks.length, items(marks)),
      operatorState('offsets', 'list', offsets.length, items(offsets)),
      operatorState('rules', 'broadcast', 1, packed('r') + packed(rule)),
    ];
    const sizeOf = (key: string) => fileSizes.get(key)!;
    const stateBytes = [...fileSizes.values()].reduce((a, b) => a + b, 0);

    const description = await inspectCheckpoint(directory);

    expect(description).toEqual({
      path: directory,
      format: 'eddy-checkpoint',
      version: 1,
      jobId: JOB_ID,
      checkpointId: 7,
      kind: 'checkpoint',
      triggerTimestamp: 1_700_000_000_000,
      completionTimestamp: 1_700_000_000_042,
      metadataBytes,
      stateBytes,
      totalBytes: metadataBytes + stateBytes,
      operators: [
        {
          uid: SOURCE_UID,
          name: 'Source: events',
          parallelism: 2,
          maxParallelism: 128,
          stateBytes: sizeOf(`${SOURCE_UID}/0`) + sizeOf(`${SOURCE_UID}/1`),
          states: [
            operatorState('config', 'broadcast', 4, 2 * configBytes),
            operatorState('marks', 'union', 3, items(['a', 'b', 'c'])),
            operatorState('offsets', 'list', 3, items([10, 11, 20])),
            operatorState('rules', 'broadcast', 2, packed('r') + packed(1) + packed('r') + packed(2)),
          ],
          subtasks: [
            {
              subtaskIndex: 0,
              operatorState: { file: expect.stringMatching(/^op-source_events-[0-9a-f]{8}-0-operator\.bin$/), bytes: sizeOf(`${SOURCE_UID}/0`) },
              sourcePosition: { next: 5, split: 'a/ü' },
              states: sourceStates([10, 11], ['a'], 1),
            },
            {
              subtaskIndex: 1,
              operatorState: { file: expect.stringMatching(/-1-operator\.bin$/), bytes: sizeOf(`${SOURCE_UID}/1`) },
              sourcePosition: { next: 7 },
              states: sourceStates([20], ['b', 'c'], 2),
            },
          ],
        },
        {
          uid: 'sessions',
          name: 'sessions',
          parallelism: 3,
          maxParallelism: 128,
          stateBytes: sizeOf('sessions/1') + sizeOf('sessions/2'),
          states: sub1.map((s, i) => ({
            ...s,
            entries: s.entries + sub2[i]!.entries,
            ...(s.elements !== undefined ? { elements: s.elements + sub2[i]!.elements! } : {}),
            bytes: s.bytes + sub2[i]!.bytes,
          })),
          subtasks: [
            {
              subtaskIndex: 1,
              keyed: { file: expect.stringMatching(/^op-sessions-[0-9a-f]{8}-1-keyed\.bin$/), bytes: sizeOf('sessions/1'), keyGroupRange: [43, 85], nonEmptyKeyGroups: 2 },
              states: sub1,
            },
            {
              subtaskIndex: 2,
              keyed: { file: expect.stringMatching(/-2-keyed\.bin$/), bytes: sizeOf('sessions/2'), keyGroupRange: [86, 127], nonEmptyKeyGroups: 3 },
              states: sub2,
            },
          ],
        },
        {
          uid: OTHER_UID,
          name: 'other',
          parallelism: 1,
          maxParallelism: 128,
          stateBytes: sizeOf(`${OTHER_UID}/0`),
          states: [operatorState('other', 'list', 1, items([1]))],
          subtasks: [
            {
              subtaskIndex: 0,
              operatorState: { file: expect.stringMatching(/^op-sessions_by-[0-9a-f]{8}-0-operator\.bin$/), bytes: sizeOf(`${OTHER_UID}/0`) },
              states: [operatorState('other', 'list', 1, items([1]))],
            },
          ],
        },
      ],
    });
  });

  it('accepts the path of the _metadata file as well as its directory', async () => {
    const fromFile = await inspectCheckpoint(join(directory, '_metadata'));
    expect(fromFile).toEqual(await inspectCheckpoint(directory));
  });

  it('says which checkpoints a job directory holds when given one', async () => {
    const jobDirectory = join(root, JOB_ID);
    const error = await inspectCheckpoint(jobDirectory).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointCorruptedError);
    expect((error as Error).message).toContain(`'${jobDirectory}' has no _metadata`);
    expect((error as Error).message).toContain('chk-7');
  });

  it('names the path when it does not exist, or is a directory without _metadata', async () => {
    const missing = join(root, 'nowhere');
    await expect(inspectCheckpoint(missing)).rejects.toThrow(`checkpoint directory '${missing}' does not exist`);
    const empty = join(root, 'empty');
    await mkdir(empty);
    await expect(inspectCheckpoint(empty)).rejects.toThrow(`'${empty}' has no _metadata`);
  });

  it('names the file when _metadata or a state file is damaged', async () => {
    const copy = await copyCheckpoint('damaged');
    await corruptCheckpointFile(join(copy, fileOf('sessions', 2)), { flipByteAt: -3 });
    const error = await inspectCheckpoint(copy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointCorruptedError);
    expect((error as Error).message).toMatch(/state file '.*-2-keyed\.bin' fails its checksum/);

    const badMetadata = await copyCheckpoint('bad-metadata');
    await corruptCheckpointFile(join(badMetadata, '_metadata'), { truncateTo: 60 });
    await expect(inspectCheckpoint(badMetadata)).rejects.toThrow(join(badMetadata, '_metadata'));
  });
});

describe('dumpState', () => {
  it('dumps keyed value state in key-group order, with bigint and tuple keys and the namespace only when not the default', async () => {
    const lines = await collect('sessions/count');
    expect(lines.slice(0, 3)).toEqual([
      { keyGroup: 60, key: { $bigint: '-5' }, value: 2 },
      { keyGroup: 61, key: ['user', 42], value: 1 },
      expect.objectContaining({ keyGroup: 100, key: 'alice' }),
    ]);
    expect(sortedJson(lines.slice(2))).toEqual(
      sortedJson([
        { keyGroup: 100, key: 'alice', value: 3 },
        { keyGroup: 100, key: 'alice', namespace: [0, 10], value: 1 },
      ]),
    );
    expect(lines).toHaveLength(4);
  });

  it('dumps map state as one line per map entry, with its user key', async () => {
    const lines = await collect('sessions/lastSeen');
    expect(lines[0]).toEqual({ keyGroup: 61, key: ['user', 42], userKey: 'home', value: 5 });
    expect(sortedJson(lines.slice(1))).toEqual(
      sortedJson([
        { keyGroup: 100, key: 'alice', userKey: 'home', value: 100 },
        { keyGroup: 100, key: 'alice', userKey: 'cart', value: 200 },
      ]),
    );
    expect(lines).toHaveLength(3);
  });

  it('dumps list state with the whole list as the value', async () => {
    expect(await collect('sessions/events')).toEqual([
      { keyGroup: 60, key: { $bigint: '-5' }, value: [{ page: 'home', at: 1 }] },
      { keyGroup: 100, key: 'alice', value: ['login', 'click'] },
    ]);
  });

  it('writes what JSON cannot hold as marker objects, and values of an unknown serializer as base64 bytes', async () => {
    expect(await collect('sessions/profile')).toEqual([
      { keyGroup: 88, key: { $number: 'Infinity' }, value: { bytes: { $bytes: 'AQID' } } },
      {
        keyGroup: 91,
        key: { $bigint: '1180591620717411303424' },
        value: {
          $object: {
            tags: { $set: ['a', 'b'] },
            since: { $date: '1970-01-01T00:00:00.000Z' },
            scores: { $map: [['m', { $number: 'NaN' }], [{ $bigint: '1' }, { $number: '-Infinity' }]] },
            big: { $bigint: '1180591620717411303424' },
            none: { $undefined: true },
            $ref: 'looks like a marker',
          },
        },
      },
    ]);
    expect(await collect('sessions/secret')).toEqual([{ keyGroup: 61, key: ['user', 42], value: { $bytes: 'aGk=' } }]);
  });

  it('dumps operator list and union state item by item with the subtask, splitting <uid>/<name> at the last /', async () => {
    expect(await collect(`${SOURCE_UID}/offsets`)).toEqual([
      { subtask: 0, value: 10 },
      { subtask: 0, value: 11 },
      { subtask: 1, value: 20 },
    ]);
    expect(await collect(`${SOURCE_UID}/marks`)).toEqual([
      { subtask: 0, value: 'a' },
      { subtask: 1, value: 'b' },
      { subtask: 1, value: 'c' },
    ]);
  });

  it('dumps broadcast state once, as key and value', async () => {
    const warnings: string[] = [];
    expect(await collect(`${SOURCE_UID}/config`, (w) => warnings.push(w))).toEqual([
      { key: 'mode', value: 'fast' },
      { key: ['t', 1], value: { $bigint: '123' } },
    ]);
    expect(warnings).toEqual([]);
  });

  it('warns when the copies of a broadcast state differ, and dumps the copy of the lowest subtask', async () => {
    const warnings: string[] = [];
    expect(await collect(`${SOURCE_UID}/rules`, (w) => warnings.push(w))).toEqual([{ key: 'r', value: 1 }]);
    expect(warnings).toEqual([
      "broadcast state 'rules' of operator 'source/events' differs between subtasks 0 and 1; the dump shows the copy of subtask 0",
    ]);
  });

  it('finds a state whose name contains /, trying the uid before the last / first', async () => {
    // 'sessions/by' is a uid too, but has no state 'day'
    expect(await collect('sessions/by/day')).toEqual([{ keyGroup: 61, key: ['user', 42], value: 9 }]);
    expect(await collect('sessions/by/other')).toEqual([{ subtask: 0, value: 1 }]);
    await expect(collect('sessions/by/nosuch')).rejects.toThrow(
      `operator 'sessions/by' in checkpoint '${directory}' has no state 'nosuch'; its states are 'other'`,
    );
  });

  it('refuses an operator or state that does not exist, listing those that do, before writing anything', async () => {
    await expect(collect('nosuch/count')).rejects.toThrow(
      new ConfigError(`checkpoint '${directory}' has no operator with uid 'nosuch'; its operators are 'source/events', 'sessions', 'sessions/by'`),
    );
    await expect(collect('sessions/nosuch')).rejects.toThrow(
      new ConfigError(
        `operator 'sessions' in checkpoint '${directory}' has no state 'nosuch'; its states are 'by/day', 'count', 'events', 'lastSeen', 'profile', 'secret'`,
      ),
    );
    await expect(collect('sessions')).rejects.toThrow("--state expects <uid>/<state name>, e.g. 'count/seen', got 'sessions'");
  });

  it('names the state file when its bytes are damaged', async () => {
    const copy = await copyCheckpoint('damaged-dump');
    const file = fileOf(SOURCE_UID, 1);
    await corruptCheckpointFile(join(copy, file), { flipByteAt: 20 });
    const lines: StateDumpLine[] = [];
    const error = await (async () => {
      for await (const line of dumpState(copy, `${SOURCE_UID}/offsets`)) lines.push(line);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointCorruptedError);
    expect((error as Error).message).toContain(file);
  });
});

describe('splitStateSelector', () => {
  it('splits at the last /', () => {
    expect(splitStateSelector('a/b/c')).toEqual({ uid: 'a/b', name: 'c' });
    expect(() => splitStateSelector('a/')).toThrow(ConfigError);
    expect(() => splitStateSelector('/a')).toThrow(ConfigError);
  });
});

describe('toInspectJson', () => {
  it('keeps JSON values as they are and marks everything else', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    const shared = { x: 1 };
    const holes = [1, , 3];
    expect(
      toInspectJson({
        s: 'x',
        n: -0,
        t: true,
        z: null,
        holes,
        typed: Float64Array.of(1.5, NaN),
        bigTyped: BigInt64Array.of(-1n),
        buffer: Uint8Array.of(255).buffer,
        opaque: new OpaqueBytes(Uint8Array.of(0, 1)),
        invalidDate: new Date(NaN),
        re: /a+/g,
        error: new TypeError('bad'),
        cyclic,
        twice: [shared, shared],
      }),
    ).toEqual({
      s: 'x',
      n: 0,
      t: true,
      z: null,
      holes: [1, { $undefined: true }, 3],
      typed: { $typedArray: 'Float64Array', values: [1.5, { $number: 'NaN' }] },
      bigTyped: { $typedArray: 'BigInt64Array', values: [{ $bigint: '-1' }] },
      buffer: { $bytes: '/w==', type: 'ArrayBuffer' },
      opaque: { $bytes: 'AAE=' },
      invalidDate: { $date: null },
      re: { $regexp: '/a+/g' },
      error: { $error: { name: 'TypeError', message: 'bad' } },
      cyclic: { name: 'loop', self: { $cycle: true } },
      twice: [{ x: 1 }, { x: 1 }],
    });
  });
});

/** The name of the state file of `uid`'s subtask (keyed for 'sessions', operator state for the source). */
function fileOf(uid: string, subtask: number): string {
  return stateFileName(uid, subtask, uid === 'sessions' ? 'keyed' : 'operator');
}

/** A copy of the checkpoint directory, to damage. */
async function copyCheckpoint(name: string): Promise<string> {
  const copy = join(root, name);
  await cp(directory, copy, { recursive: true });
  return copy;
}

function sortedJson(lines: readonly unknown[]): string[] {
  return lines.map((l) => JSON.stringify(l)).sort();
}

