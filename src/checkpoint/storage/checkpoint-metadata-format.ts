/**
 * The bytes of `_metadata`, format version 1 (docs/CHECKPOINTS.md). The file is JSON a
 * person can read, whose first line names the format and version and carries the size
 * and CRC-32 of everything after it, so any truncation or changed byte is detected
 * before the content is trusted:
 *
 * ```
 * {"format": "eddy-checkpoint", "version": 1, "bodySize": 1234, "bodyCrc32": 305419896,
 *   "jobId": "…",
 *   …
 * }
 * ```
 */
import { crc32 } from '../../core/crc32.js';
import { CheckpointError } from '../../core/errors.js';
import type { CheckpointMetadata } from '../checkpoint-metadata.js';
import { CheckpointCorruptedError } from './checkpoint-corrupted-error.js';
import type { CheckpointProblem } from './checkpoint-corrupted-error.js';
import { validateCheckpointMetadata } from './checkpoint-metadata-schema.js';

/** The name of the metadata file in a checkpoint or savepoint directory. */
export const METADATA_FILE_NAME = '_metadata';

/** The format version this Eddy writes and reads. */
export const METADATA_VERSION = 1;

/** What every `_metadata` starts with, whatever its version. */
const PREFIX = '{"format": "eddy-checkpoint", "version": ';

/** The whole first line of a version 1 file (without its newline). */
const HEADER_V1 = /^\{"format": "eddy-checkpoint", "version": 1, "bodySize": (0|[1-9]\d{0,14}), "bodyCrc32": (0|[1-9]\d{0,9}),$/;

/** Fields of the first line that are about the file, not the checkpoint. */
const FILE_FIELDS = ['bodySize', 'bodyCrc32'] as const;

const ADVICE: Partial<Record<CheckpointProblem, string>> = {
  'unsupported-version': 'restore it with the Eddy version that wrote it, or choose another checkpoint',
  'invalid-content': 'the checkpoint cannot be restored; choose an older checkpoint or a savepoint',
};
const DEFAULT_ADVICE = 'the file is damaged and the checkpoint cannot be restored; choose an older checkpoint or a savepoint';

/**
 * The `_metadata` bytes of `metadata`. Checks that the result reads back: a checkpoint
 * whose metadata could not be restored is refused here rather than found broken later.
 *
 * @throws CheckpointError if the metadata is not JSON-compatible (a bigint or a cycle in a
 *   source position) or breaks the rules of {@link validateCheckpointMetadata}
 */
export function encodeCheckpointMetadata(metadata: CheckpointMetadata): Uint8Array {
  const what = `${metadata.kind} ${metadata.checkpointId}`;
  const { format: _format, version: _version, ...rest } = metadata;
  for (const field of FILE_FIELDS) {
    if (field in rest) throw new CheckpointError(`${what}: metadata may not have a field named '${field}'`);
  }
  let plain: Record<string, unknown>;
  try {
    plain = JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
  } catch (error) {
    throw new CheckpointError(`${what}: metadata is not JSON-compatible: ${(error as Error).message}`, { cause: error });
  }
  const lines = Object.entries(plain).map(([key, value]) => `  ${JSON.stringify(key)}: ${formatJson(value, '  ')}`);
  if (lines.length === 0) throw new CheckpointError(`${what}: metadata has no fields besides format and version`);
  const body = new TextEncoder().encode(`${lines.join(',\n')}\n}\n`);
  const header = new TextEncoder().encode(
    `${PREFIX}${METADATA_VERSION}, "bodySize": ${body.length}, "bodyCrc32": ${crc32(body)},\n`,
  );
  const bytes = new Uint8Array(header.length + body.length);
  bytes.set(header);
  bytes.set(body, header.length);
  const check = parse(bytes);
  if (!check.ok) throw new CheckpointError(`${what}: its metadata would not read back: _metadata ${check.problem}`);
  return bytes;
}

/**
 * Reads `_metadata` bytes: checks the first line, the size and CRC-32 of the rest, the
 * JSON and its content.
 *
 * @param path - where the bytes come from, for messages
 * @throws CheckpointCorruptedError naming `path`, what is wrong and what to do
 */
export function decodeCheckpointMetadata(bytes: Uint8Array, path: string): CheckpointMetadata {
  const result = parse(bytes);
  if (result.ok) return result.metadata;
  const advice = ADVICE[result.kind] ?? DEFAULT_ADVICE;
  throw new CheckpointCorruptedError(`checkpoint metadata '${path}' ${result.problem}; ${advice}`, { path, problem: result.kind });
}

/** Values whose one-line form is at most this long stay on one line. */
const LINE_WIDTH = 100;

/**
 * JSON text of a plain JSON value for people: a value whose one-line form (with spaces
 * after `,` and `:`) fits in {@link LINE_WIDTH} stays on one line, bigger arrays and
 * objects get one entry per line.
 */
function formatJson(value: unknown, indent: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Array.isArray(value)
    ? value.map((v) => ['', v] as const)
    : Object.entries(value).map(([k, v]) => [`${JSON.stringify(k)}: `, v] as const);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return `${open}${close}`;
  const fits = indent.length + JSON.stringify(value).length <= LINE_WIDTH; // the compact form is the shortest
  const inline = fits ? `${open}${entries.map(([k, v]) => k + formatJson(v, '')).join(', ')}${close}` : '';
  if (fits && !inline.includes('\n') && indent.length + inline.length <= LINE_WIDTH) return inline;
  const inner = `${indent}  `;
  return `${open}\n${entries.map(([k, v]) => inner + k + formatJson(v, inner)).join(',\n')}\n${indent}${close}`;
}

type ParseResult =
  | { readonly ok: true; readonly metadata: CheckpointMetadata }
  | { readonly ok: false; readonly kind: CheckpointProblem; readonly problem: string };

function fail(kind: CheckpointProblem, problem: string): ParseResult {
  return { ok: false, kind, problem };
}

function parse(bytes: Uint8Array): ParseResult {
  if (bytes.length === 0) return fail('truncated', 'is empty (truncated)');
  const newline = bytes.indexOf(0x0a);
  const firstLine = Buffer.from(bytes.subarray(0, newline === -1 ? Math.min(bytes.length, 256) : newline)).toString('latin1');
  if (!firstLine.startsWith(PREFIX)) {
    if (newline === -1 && PREFIX.startsWith(firstLine)) return fail('truncated', `ends after ${bytes.length} bytes, inside its first line (truncated)`);
    return fail('malformed', `is not an Eddy checkpoint metadata file (it must start with '${PREFIX}')`);
  }
  const version = /^(\d+)[,}]/.exec(firstLine.slice(PREFIX.length));
  if (!version) {
    if (newline === -1) return fail('truncated', `ends after ${bytes.length} bytes, inside its first line (truncated)`);
    return fail('malformed', 'has a damaged first line (no format version)');
  }
  if (Number(version[1]) !== METADATA_VERSION) {
    return fail('unsupported-version', `has format version ${version[1]}, but this Eddy reads version ${METADATA_VERSION} only`);
  }
  if (newline === -1) return fail('truncated', `ends after ${bytes.length} bytes, inside its first line (truncated)`);
  const header = HEADER_V1.exec(firstLine);
  if (!header) return fail('malformed', `has a damaged first line: ${JSON.stringify(firstLine)}`);
  const bodySize = Number(header[1]);
  const bodyCrc32 = Number(header[2]);
  const body = bytes.subarray(newline + 1);
  if (body.length < bodySize) {
    return fail('truncated', `is truncated: ${bodySize} bytes expected after the first line, ${body.length} found`);
  }
  if (body.length > bodySize) {
    return fail('size-mismatch', `is longer than recorded: ${bodySize} bytes expected after the first line, ${body.length} found`);
  }
  const actual = crc32(body);
  if (actual !== bodyCrc32) return fail('checksum-mismatch', `fails its checksum (CRC-32 ${actual}, recorded ${bodyCrc32})`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return fail('malformed', `is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('malformed', 'is not a JSON object');
  const record = { ...(value as Record<string, unknown>) };
  for (const field of FILE_FIELDS) delete record[field];
  const validation = validateCheckpointMetadata(record);
  if (!validation.ok) return fail('invalid-content', `is invalid: ${validation.problem}`);
  return { ok: true, metadata: validation.metadata };
}
