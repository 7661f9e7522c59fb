/**
 * What a valid `_metadata` holds, checked when it is read and before it is written: the
 * shape (zod) and the rules between fields (unique uids and subtasks, key groups inside
 * their ranges and their files, incremental handles only in checkpoints). A checkpoint
 * that passes can be handed to restore code without further checks on its structure.
 */
import { z } from 'zod';
import type { CheckpointMetadata, IncrementalKeyedStateHandle } from '../checkpoint-metadata.js';
import { isSharedFileLocation, isValidStateFileName } from './state-file-name.js';

const count = z.int().min(0);

const stateFileHandle = z.looseObject({
  file: z.string().refine(isValidStateFileName, 'not a valid state file name (a single path segment of [A-Za-z0-9._~-])'),
  size: count,
  crc32: z.int().min(0).max(0xffffffff),
});

const keyGroupRange = z.tuple([count, z.int().min(-1)]);

const fullKeyedStateHandle = stateFileHandle.extend({
  type: z.literal('full').optional(),
  keyGroupRange,
  keyGroups: z.array(z.looseObject({ keyGroup: count, offset: count, length: count })),
});

const nativeFileName = z.string().refine(isValidStateFileName, 'not a valid file name (a single path segment of [A-Za-z0-9._~-])');

const snapshotFile = (file: z.ZodType<string>) => z.looseObject({ name: nativeFileName, file, size: count });

const incrementalKeyedStateHandle = z.looseObject({
  type: z.literal('incremental'),
  backend: z.literal('rocksdb'),
  keyGroupRange,
  states: z.array(
    z.looseObject({
      name: z.string(),
      kind: z.enum(['value', 'list', 'map', 'reducing', 'aggregating']),
      serializerId: z.string(),
      serializerVersion: count,
      descriptorVersion: count,
      userKeySerializerId: z.string(),
      userKeySerializerVersion: count,
    }),
  ),
  sharedFiles: z.array(snapshotFile(z.string().refine(isSharedFileLocation, "not a shared file location ('../shared/<file name>')"))),
  privateFiles: z.array(snapshotFile(z.string().refine(isValidStateFileName, 'not a valid state file name (a single path segment of [A-Za-z0-9._~-])'))),
});

/** A keyed handle; one without `type` is full (files written before incremental checkpoints). */
const keyedStateHandle = z.discriminatedUnion('type', [fullKeyedStateHandle, incrementalKeyedStateHandle]);

const operatorSubtaskState = z.looseObject({
  subtaskIndex: count,
  keyed: keyedStateHandle.optional(),
  operatorState: stateFileHandle.optional(),
  sourcePosition: z.unknown().optional(),
});

const operatorState = z.looseObject({
  uid: z.string(),
  name: z.string(),
  parallelism: z.int().min(1),
  maxParallelism: z.int().min(1),
  subtasks: z.array(operatorSubtaskState),
});

/** The shape of {@link CheckpointMetadata}; unknown fields are kept (later minor additions). */
export const checkpointMetadataSchema = z.looseObject({
  format: z.literal('eddy-checkpoint'),
  version: z.literal(1),
  jobId: z.string().min(1),
  jobName: z.string().min(1).optional(),
  checkpointId: count,
  kind: z.enum(['checkpoint', 'savepoint']),
  triggerTimestamp: z.number(),
  completionTimestamp: z.number(),
  operators: z.array(operatorState),
});

/** The outcome of {@link validateCheckpointMetadata}. */
export type MetadataValidation =
  | { readonly ok: true; readonly metadata: CheckpointMetadata }
  | { readonly ok: false; readonly problem: string };

/**
 * Checks that `value` (parsed JSON) is a {@link CheckpointMetadata} whose fields agree
 * with each other. The problem, when there is one, names the field by its path, e.g.
 * `operators[1].subtasks[0].keyed: key group 70 is outside the range 0..63`.
 */
export function validateCheckpointMetadata(value: unknown): MetadataValidation {
  const parsed = checkpointMetadataSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, problem: `${formatPath(issue.path) || 'the top level'}: ${issue.message}` };
  }
  const metadata = parsed.data as unknown as CheckpointMetadata;
  const problem = findInconsistency(metadata);
  return problem ? { ok: false, problem } : { ok: true, metadata };
}

function findInconsistency(metadata: CheckpointMetadata): string | undefined {
  const uids = new Set<string>();
  for (const [o, op] of metadata.operators.entries()) {
    const at = `operators[${o}]`;
    if (uids.has(op.uid)) return `${at}: uid ${JSON.stringify(op.uid)} appears twice`;
    uids.add(op.uid);
    if (op.parallelism > op.maxParallelism) {
      return `${at}: parallelism ${op.parallelism} exceeds maxParallelism ${op.maxParallelism}`;
    }
    const subtasks = new Set<number>();
    for (const [s, sub] of op.subtasks.entries()) {
      const subAt = `${at}.subtasks[${s}]`;
      if (sub.subtaskIndex >= op.parallelism) {
        return `${subAt}: subtaskIndex ${sub.subtaskIndex} is not below the parallelism ${op.parallelism}`;
      }
      if (subtasks.has(sub.subtaskIndex)) return `${subAt}: subtaskIndex ${sub.subtaskIndex} appears twice`;
      subtasks.add(sub.subtaskIndex);
      const keyed = sub.keyed;
      if (!keyed) continue;
      const [start, end] = keyed.keyGroupRange;
      if (end >= op.maxParallelism || end < start - 1) {
        return `${subAt}.keyed: key-group range ${start}..${end} does not fit maxParallelism ${op.maxParallelism}`;
      }
      if (keyed.type === 'incremental') {
        if (metadata.kind === 'savepoint') return `${subAt}.keyed: a savepoint holds full snapshots only, not incremental ones`;
        const problem = incrementalInconsistency(keyed);
        if (problem) return `${subAt}.keyed: ${problem}`;
        continue;
      }
      const seen = new Set<number>();
      for (const { keyGroup, offset, length } of keyed.keyGroups) {
        if (keyGroup < start || keyGroup > end) return `${subAt}.keyed: key group ${keyGroup} is outside the range ${start}..${end}`;
        if (seen.has(keyGroup)) return `${subAt}.keyed: key group ${keyGroup} appears twice`;
        seen.add(keyGroup);
        if (offset + length > keyed.size) {
          return `${subAt}.keyed: key group ${keyGroup} (bytes ${offset}..${offset + length}) lies beyond the end of '${keyed.file}' (${keyed.size} bytes)`;
        }
      }
    }
  }
  return undefined;
}

function incrementalInconsistency(handle: IncrementalKeyedStateHandle): string | undefined {
  const states = new Set<string>();
  for (const { name } of handle.states) {
    if (states.has(name)) return `state ${JSON.stringify(name)} appears twice`;
    states.add(name);
  }
  const names = new Set<string>();
  const files = new Set<string>();
  for (const file of [...handle.sharedFiles, ...handle.privateFiles]) {
    if (names.has(file.name)) return `file name '${file.name}' appears twice`;
    if (files.has(file.file)) return `file '${file.file}' appears twice`;
    names.add(file.name);
    files.add(file.file);
  }
  return undefined;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
