/**
 * `eddy inspect` (DESIGN §6, Inspection): what a checkpoint or savepoint holds — its
 * operators, their uids, parallelism and key groups, and every state with its kind,
 * serializer, entries and bytes — read from `_metadata` and the state files' headers.
 * Incremental keyed snapshots (RocksDB files) are described from `_metadata` alone: their
 * states, and the number and size of their files. The shape is documented in
 * docs/INSPECT.md; the dump of one state's values is in `state-dump.ts`.
 */
import type { StateKind } from '../../state/descriptors.js';
import type { KeyedSnapshotStateMeta } from '../../state/keyed-snapshot/keyed-snapshot-format.js';
import type { SnapshotFile } from '../../state/keyed-state-backend.js';
import type { IncrementalKeyedStateHandle, OperatorState, OperatorSubtaskState } from '../checkpoint-metadata.js';
import { verifySnapshotFile } from '../storage/checkpoint-reader.js';
import { locateCheckpoint } from './checkpoint-location.js';
import { toInspectJson, type JsonValue } from './inspect-json.js';
import { countKeyedStates } from './keyed-state-file.js';
import { countOperatorState, type OperatorStateKind } from './operator-state-file.js';
import { readKeyedStateFile, readOperatorStateFile, withFile } from './state-file-reader.js';

/** A serializer as state files record it. */
export interface SerializerDescription {
  readonly id: string;
  readonly version: number;
}

/** One state of one operator, in one subtask or summed over all of them. */
export interface StateDescription {
  readonly name: string;
  /** `'keyed'` (in the keyed state file) or `'operator'` (in the operator state file). */
  readonly scope: 'keyed' | 'operator';
  /** Keyed: value, list, map, reducing, aggregating. Operator: list (even split), union, broadcast. */
  readonly kind: StateKind | OperatorStateKind;
  /** The serializer of values (list elements, map values, accumulators). */
  readonly serializer: SerializerDescription;
  /** Map state: the serializer of user keys; broadcast state: of the map's keys. */
  readonly keySerializer?: SerializerDescription;
  /** The descriptor's `version` of the value schema. */
  readonly descriptorVersion: number;
  /** Keyed: (key, namespace) entries. Operator list and union: items. Broadcast: map entries. */
  readonly entries: number;
  /** Keyed list and map state only: list elements or map entries over all entries. */
  readonly elements?: number;
  /** Bytes of the serialized entries (keys, namespaces, values), without file headers. */
  readonly bytes: number;
}

/** What the schema of a state says (kind, serializers, version), without its contents. */
export type StateSchemaDescription = Pick<StateDescription, 'name' | 'kind' | 'serializer' | 'keySerializer' | 'descriptorVersion'>;

/** Number and total size of some files. */
export interface FilesDescription {
  readonly count: number;
  readonly bytes: number;
}

/**
 * The incremental keyed snapshot of a subtask: the files of a native RocksDB checkpoint.
 * Its entries are inside RocksDB's files, which `eddy inspect` does not open: they are
 * counted and listed from a savepoint only.
 */
export interface IncrementalKeyedDescription {
  /** The backend that wrote it. */
  readonly backend: 'rocksdb';
  /** First and last key group the subtask owned (inclusive). */
  readonly keyGroupRange: readonly [number, number];
  /** `sharedFiles.bytes + privateFiles.bytes`. */
  readonly bytes: number;
  /** SST files in the job's `shared/` directory (some may be shared with other checkpoints). */
  readonly sharedFiles: FilesDescription;
  /** The instance's other files, in the checkpoint's directory. */
  readonly privateFiles: FilesDescription;
  /** Every state of the instance, in `_metadata` order. */
  readonly states: readonly StateSchemaDescription[];
}

/** What one subtask of an operator saved. */
export interface SubtaskDescription {
  readonly subtaskIndex: number;
  /** The keyed state file, if the subtask had keyed state in a full snapshot. */
  readonly keyed?: {
    readonly file: string;
    readonly bytes: number;
    /** First and last key group the subtask owned (inclusive). */
    readonly keyGroupRange: readonly [number, number];
    /** Key groups of the range that hold any entry. */
    readonly nonEmptyKeyGroups: number;
  };
  /** The subtask's incremental keyed snapshot, if its keyed state is one. */
  readonly incrementalKeyed?: IncrementalKeyedDescription;
  /** The operator state file, if the subtask had operator state. */
  readonly operatorState?: { readonly file: string; readonly bytes: number };
  /** A source's read position, as `_metadata` records it. */
  readonly sourcePosition?: JsonValue;
  /**
   * The states in this subtask's files: keyed ones in file order, then operator ones by
   * name. The states of an incremental keyed snapshot are in {@link incrementalKeyed} instead.
   */
  readonly states: readonly StateDescription[];
}

/** One operator of the job. */
export interface OperatorDescription {
  readonly uid: string;
  /** Display name when the checkpoint was taken. */
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Sum of the sizes of the operator's state files (with the files of incremental snapshots). */
  readonly stateBytes: number;
  /** Every state of the operator whose entries were counted, with entries and bytes summed over its subtasks. */
  readonly states: readonly StateDescription[];
  /** Subtasks that saved something, by index; subtasks that saved nothing are left out. */
  readonly subtasks: readonly SubtaskDescription[];
}

/** What `eddy inspect <path> --json` prints. */
export interface CheckpointDescription {
  /** The absolute directory that holds `_metadata`. */
  readonly path: string;
  readonly format: 'eddy-checkpoint';
  /** Version of the `_metadata` format. */
  readonly version: number;
  readonly jobId: string;
  readonly checkpointId: number;
  readonly kind: 'checkpoint' | 'savepoint';
  /** Milliseconds since the epoch. */
  readonly triggerTimestamp: number;
  readonly completionTimestamp: number;
  /** Size of `_metadata`. */
  readonly metadataBytes: number;
  /** Sum of the sizes of all state files, with the shared and private files of incremental snapshots. */
  readonly stateBytes: number;
  /** `metadataBytes + stateBytes`. */
  readonly totalBytes: number;
  readonly operators: readonly OperatorDescription[];
}

/**
 * Describes the checkpoint or savepoint at `path` (its directory, or its `_metadata`
 * file). Reads `_metadata` and every state file, checking sizes and CRC-32s, and checks
 * that every file of an incremental snapshot exists with its size; values are not
 * decoded. Reads only: never changes a file.
 *
 * @throws CheckpointCorruptedError naming the path or file when the path is not a
 *   checkpoint, or a file is missing or damaged
 */
export async function inspectCheckpoint(path: string): Promise<CheckpointDescription> {
  const { directory, metadata, metadataBytes } = await locateCheckpoint(path);
  const operators: OperatorDescription[] = [];
  for (const operator of metadata.operators) operators.push(await describeOperator(directory, operator));
  const stateBytes = operators.reduce((sum, op) => sum + op.stateBytes, 0);
  return {
    path: directory,
    format: metadata.format,
    version: metadata.version,
    jobId: metadata.jobId,
    checkpointId: metadata.checkpointId,
    kind: metadata.kind,
    triggerTimestamp: metadata.triggerTimestamp,
    completionTimestamp: metadata.completionTimestamp,
    metadataBytes,
    stateBytes,
    totalBytes: metadataBytes + stateBytes,
    operators,
  };
}

async function describeOperator(directory: string, operator: OperatorState): Promise<OperatorDescription> {
  const subtasks: SubtaskDescription[] = [];
  const sorted = [...operator.subtasks].sort((a, b) => a.subtaskIndex - b.subtaskIndex);
  for (const subtask of sorted) subtasks.push(await describeSubtask(directory, subtask));
  const stateBytes = subtasks.reduce(
    (sum, s) => sum + (s.keyed?.bytes ?? 0) + (s.incrementalKeyed?.bytes ?? 0) + (s.operatorState?.bytes ?? 0),
    0,
  );
  return {
    uid: operator.uid,
    name: operator.name,
    parallelism: operator.parallelism,
    maxParallelism: operator.maxParallelism,
    stateBytes,
    states: sumStates(subtasks),
    subtasks,
  };
}

async function describeSubtask(directory: string, subtask: OperatorSubtaskState): Promise<SubtaskDescription> {
  const states: StateDescription[] = [];
  let keyed: SubtaskDescription['keyed'];
  let incrementalKeyed: IncrementalKeyedDescription | undefined;
  let operatorState: SubtaskDescription['operatorState'];
  if (subtask.keyed?.type === 'incremental') {
    incrementalKeyed = await describeIncremental(directory, subtask.keyed);
  } else if (subtask.keyed) {
    const file = await readKeyedStateFile(directory, subtask.keyed);
    for (const count of withFile(file.path, () => countKeyedStates(file.bytes, file.header))) {
      const { meta } = count;
      const { name, kind, serializer, keySerializer, descriptorVersion } = describeSchema(meta);
      states.push({
        name,
        scope: 'keyed',
        kind,
        serializer,
        ...(keySerializer ? { keySerializer } : {}),
        descriptorVersion,
        entries: count.entries,
        ...(meta.kind === 'list' || meta.kind === 'map' ? { elements: count.elements } : {}),
        bytes: count.bytes,
      });
    }
    const range = file.header.keyGroupRange;
    keyed = {
      file: subtask.keyed.file,
      bytes: subtask.keyed.size,
      keyGroupRange: [range.startKeyGroup, range.endKeyGroup],
      nonEmptyKeyGroups: file.header.keyGroups.length,
    };
  }
  if (subtask.operatorState) {
    const snapshot = await readOperatorStateFile(directory, subtask.operatorState);
    const counted = snapshot.states.map(countOperatorState).sort((a, b) => compare(a.state.name, b.state.name));
    for (const { state, kind, entries, bytes } of counted) {
      states.push({
        name: state.name,
        scope: 'operator',
        kind,
        serializer: { ...state.serializer },
        ...(state.mode === 'broadcast' ? { keySerializer: { ...state.keySerializer } } : {}),
        descriptorVersion: state.descriptorVersion,
        entries,
        bytes,
      });
    }
    operatorState = { file: subtask.operatorState.file, bytes: subtask.operatorState.size };
  }
  return {
    subtaskIndex: subtask.subtaskIndex,
    ...(keyed ? { keyed } : {}),
    ...(incrementalKeyed ? { incrementalKeyed } : {}),
    ...(operatorState ? { operatorState } : {}),
    ...(subtask.sourcePosition !== undefined ? { sourcePosition: toInspectJson(subtask.sourcePosition) } : {}),
    states,
  };
}

/** Describes an incremental keyed snapshot after checking that each of its files exists with its size. */
async function describeIncremental(directory: string, handle: IncrementalKeyedStateHandle): Promise<IncrementalKeyedDescription> {
  for (const file of [...handle.sharedFiles, ...handle.privateFiles]) await verifySnapshotFile(directory, file);
  const files = (list: readonly SnapshotFile[]): FilesDescription => ({ count: list.length, bytes: list.reduce((n, f) => n + f.size, 0) });
  const sharedFiles = files(handle.sharedFiles);
  const privateFiles = files(handle.privateFiles);
  return {
    backend: handle.backend,
    keyGroupRange: [handle.keyGroupRange[0], handle.keyGroupRange[1]],
    bytes: sharedFiles.bytes + privateFiles.bytes,
    sharedFiles,
    privateFiles,
    states: handle.states.map(describeSchema),
  };
}

/** The schema of a keyed state as a snapshot records it. */
export function describeSchema(meta: KeyedSnapshotStateMeta): StateSchemaDescription {
  return {
    name: meta.name,
    kind: meta.kind,
    serializer: { id: meta.serializerId, version: meta.serializerVersion },
    ...(meta.kind === 'map' ? { keySerializer: { id: meta.userKeySerializerId, version: meta.userKeySerializerVersion } } : {}),
    descriptorVersion: meta.descriptorVersion,
  };
}

/** The states of all subtasks, keyed ones first, with entries, elements and bytes summed. */
function sumStates(subtasks: readonly SubtaskDescription[]): StateDescription[] {
  const byName = new Map<string, StateDescription>();
  for (const subtask of subtasks) {
    for (const state of subtask.states) {
      const id = `${state.scope}\u0000${state.name}`;
      const seen = byName.get(id);
      if (seen === undefined) {
        byName.set(id, { ...state });
        continue;
      }
      byName.set(id, {
        ...seen,
        entries: seen.entries + state.entries,
        ...(seen.elements !== undefined ? { elements: seen.elements + (state.elements ?? 0) } : {}),
        bytes: seen.bytes + state.bytes,
      });
    }
  }
  // keyed states first (as in the files), then operator states; sort() is stable
  return [...byName.values()].sort((a, b) => (a.scope === b.scope ? 0 : a.scope === 'keyed' ? -1 : 1));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
