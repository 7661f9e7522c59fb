/**
 * `eddy inspect <path> --state <uid>/<name>`: the entries of one state as JSON-ready
 * lines, streamed one key group (keyed state) or one subtask (operator state) at a time,
 * so the dump of a large state never holds more than one state file in memory. Line
 * shapes and value representations are in docs/INSPECT.md.
 */
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type { Key } from '../../core/key-encoding.js';
import { VOID_NAMESPACE } from '../../state/namespace.js';
import type { OperatorBroadcastStateSnapshot } from '../../state/operator/operator-state-snapshot.js';
import type { CheckpointMetadata, OperatorState } from '../checkpoint-metadata.js';
import { locateCheckpoint } from './checkpoint-location.js';
import { toInspectJson, type JsonValue } from './inspect-json.js';
import { keyedStateEntries } from './keyed-state-file.js';
import { broadcastEntries, operatorListItems } from './operator-state-file.js';
import { corruptFile, readKeyedStateFile, readOperatorStateFile } from './state-file-reader.js';

/** An entry of keyed value, list, reducing or aggregating state (list: `value` is the array). */
export interface KeyedDumpLine {
  readonly keyGroup: number;
  readonly key: JsonValue;
  /** Left out for the default namespace. */
  readonly namespace?: JsonValue;
  readonly value: JsonValue;
}

/** One map entry of keyed map state. */
export interface MapDumpLine extends KeyedDumpLine {
  readonly userKey: JsonValue;
}

/** One item of operator list or union list state. */
export interface OperatorListDumpLine {
  readonly subtask: number;
  readonly value: JsonValue;
}

/** One entry of broadcast state. */
export interface BroadcastDumpLine {
  readonly key: JsonValue;
  readonly value: JsonValue;
}

/** One line of a state dump. */
export type StateDumpLine = KeyedDumpLine | MapDumpLine | OperatorListDumpLine | BroadcastDumpLine;

/** Options of {@link dumpState}. */
export interface StateDumpOptions {
  /** Told about anything odd that does not stop the dump (broadcast copies that differ). */
  readonly onWarning?: (message: string) => void;
}

/**
 * The operator uid and state name that `selector` (`<uid>/<name>`) means: split at a
 * `/` where the part before it is a uid of the checkpoint, trying the last `/` first
 * (uids and state names may both contain `/`).
 *
 * @throws ConfigError if the selector has no `/` or an empty part
 */
export function splitStateSelector(selector: string): { readonly uid: string; readonly name: string } {
  const slash = selector.lastIndexOf('/');
  if (slash <= 0 || slash === selector.length - 1) {
    throw new ConfigError(`--state expects <uid>/<state name>, e.g. 'count/seen', got '${selector}'`);
  }
  return { uid: selector.slice(0, slash), name: selector.slice(slash + 1) };
}

/**
 * Streams the entries of one state of the checkpoint or savepoint at `path`:
 * keyed state as {@link KeyedDumpLine}s (map state as {@link MapDumpLine}s, one per map
 * entry) in subtask and key-group order; operator list and union state as
 * {@link OperatorListDumpLine}s; broadcast state as {@link BroadcastDumpLine}s from the
 * copy of the lowest subtask. An operator with a keyed and an operator state of the same
 * name gives the keyed entries first. Nothing is yielded before the state is known to exist.
 *
 * @param selector - `<uid>/<state name>`
 * @throws ConfigError naming what exists when the operator or the state does not, or
 *   when the state is in an incremental (RocksDB) snapshot, whose entries can only be
 *   listed from a savepoint
 * @throws CheckpointCorruptedError naming the path or file when the checkpoint cannot be read
 */
export async function* dumpState(
  path: string,
  selector: string,
  options: StateDumpOptions = {},
): AsyncGenerator<StateDumpLine, void, undefined> {
  const { directory, metadata } = await locateCheckpoint(path);
  const candidates = operatorCandidates(directory, metadata, selector);
  // With one candidate uid (the usual case) the files are read once, while dumping;
  // nothing is yielded before the state is found, so a missing state still fails cleanly.
  const { operator, name } = candidates.length === 1 ? candidates[0]! : await selectAmong(directory, candidates);
  refuseIncremental(directory, operator, name);
  const seen = new Set<string>();
  const keyedFound = yield* dumpKeyed(directory, operator, name, seen);
  const operatorFound = yield* dumpOperatorState(directory, operator, name, seen, options);
  if (!keyedFound && !operatorFound) throw noSuchState(directory, operator, name, [...seen].sort());
}

interface Candidate {
  readonly operator: OperatorState;
  readonly name: string;
}

/** Every way to read `selector` as `<uid>/<name>` with a uid of the checkpoint, last `/` first. */
function operatorCandidates(directory: string, metadata: CheckpointMetadata, selector: string): Candidate[] {
  const last = splitStateSelector(selector);
  const candidates: Candidate[] = [];
  for (let slash = selector.lastIndexOf('/'); slash > 0; slash = selector.lastIndexOf('/', slash - 1)) {
    const operator = metadata.operators.find((op) => op.uid === selector.slice(0, slash));
    const name = selector.slice(slash + 1);
    if (operator && name !== '') candidates.push({ operator, name });
  }
  if (candidates.length === 0) {
    const uids = metadata.operators.map((op) => quote(op.uid));
    throw new ConfigError(
      `checkpoint '${directory}' has no operator with uid ${quote(last.uid)}; ` +
        (uids.length > 0 ? `its operators are ${uids.join(', ')}` : 'it holds no operators'),
    );
  }
  return candidates;
}

/** The first candidate whose operator has the state, or an error naming the states of the first. */
async function selectAmong(directory: string, candidates: readonly Candidate[]): Promise<Candidate> {
  let firstNames: string[] | undefined;
  for (const candidate of candidates) {
    const names = await stateNames(directory, candidate.operator);
    if (names.includes(candidate.name)) return candidate;
    firstNames ??= names;
  }
  throw noSuchState(directory, candidates[0]!.operator, candidates[0]!.name, firstNames ?? []);
}

function noSuchState(directory: string, operator: OperatorState, name: string, names: readonly string[]): ConfigError {
  return new ConfigError(
    `operator ${quote(operator.uid)} in checkpoint '${directory}' has no state ${quote(name)}; ` +
      (names.length > 0 ? `its states are ${names.map(quote).join(', ')}` : 'it has no state (at most a source position)'),
  );
}

/**
 * Refuses to dump a state that lies in an incremental keyed snapshot: its entries are in
 * RocksDB's own files, which only the RocksDB backend reads.
 */
function refuseIncremental(directory: string, operator: OperatorState, name: string): void {
  const incremental = operator.subtasks.some((s) => s.keyed?.type === 'incremental' && s.keyed.states.some((state) => state.name === name));
  if (!incremental) return;
  throw new ConfigError(
    `state ${quote(name)} of operator ${quote(operator.uid)} in checkpoint '${directory}' is in an incremental RocksDB snapshot, ` +
      `whose entries eddy inspect cannot read; its entries can only be listed from a savepoint, which is always in the ` +
      `backend-independent format: take one with 'eddy savepoint <job-id>' and inspect that`,
  );
}

/** The names of every state of `operator`, keyed and operator, sorted. */
async function stateNames(directory: string, operator: OperatorState): Promise<string[]> {
  const names = new Set<string>();
  for (const subtask of operator.subtasks) {
    if (subtask.keyed?.type === 'incremental') for (const state of subtask.keyed.states) names.add(state.name);
    else if (subtask.keyed) for (const state of (await readKeyedStateFile(directory, subtask.keyed)).header.states) names.add(state.name);
    if (subtask.operatorState) for (const state of (await readOperatorStateFile(directory, subtask.operatorState)).states) names.add(state.name);
  }
  return [...names].sort();
}

/** Yields the keyed state's lines; returns whether any subtask has the state. */
async function* dumpKeyed(
  directory: string,
  operator: OperatorState,
  name: string,
  seen: Set<string>,
): AsyncGenerator<StateDumpLine, boolean, undefined> {
  let found = false;
  for (const subtask of bySubtask(operator)) {
    if (!subtask.keyed) continue;
    if (subtask.keyed.type === 'incremental') {
      for (const state of subtask.keyed.states) seen.add(state.name);
      continue; // not the state asked for (refuseIncremental)
    }
    const file = await readKeyedStateFile(directory, subtask.keyed);
    for (const state of file.header.states) seen.add(state.name);
    const index = file.header.states.findIndex((state) => state.name === name);
    if (index < 0) continue;
    found = true;
    const isMap = file.header.states[index]!.kind === 'map';
    const entries = keyedStateEntries(file.bytes, file.header, index);
    for (;;) {
      let next: IteratorResult<{ keyGroup: number; key: Key; namespace: unknown; value: unknown }>;
      try {
        next = entries.next();
      } catch (error) {
        throw corruptFile(file.path, error);
      }
      if (next.done) break;
      const { keyGroup, key, namespace, value } = next.value;
      const head = {
        keyGroup,
        key: toInspectJson(key),
        ...(namespace === VOID_NAMESPACE ? {} : { namespace: toInspectJson(namespace) }),
      };
      if (!isMap) {
        yield { ...head, value: toInspectJson(value) };
        continue;
      }
      for (const [userKey, mapValue] of value as [unknown, unknown][]) {
        yield { ...head, userKey: toInspectJson(userKey), value: toInspectJson(mapValue) };
      }
    }
  }
  return found;
}

/** Yields the operator state's lines; returns whether any subtask has the state. */
async function* dumpOperatorState(
  directory: string,
  operator: OperatorState,
  name: string,
  seen: Set<string>,
  options: StateDumpOptions,
): AsyncGenerator<StateDumpLine, boolean, undefined> {
  let found = false;
  let broadcastCopy: { subtask: number; state: OperatorBroadcastStateSnapshot } | undefined;
  for (const subtask of bySubtask(operator)) {
    if (!subtask.operatorState) continue;
    const path = join(directory, subtask.operatorState.file);
    const snapshot = await readOperatorStateFile(directory, subtask.operatorState);
    for (const state of snapshot.states) seen.add(state.name);
    const state = snapshot.states.find((s) => s.name === name);
    if (state === undefined) continue;
    found = true;
    try {
      if (state.mode !== 'broadcast') {
        for (const item of operatorListItems(state)) yield { subtask: subtask.subtaskIndex, value: toInspectJson(item) };
      } else if (broadcastCopy === undefined) {
        broadcastCopy = { subtask: subtask.subtaskIndex, state };
        for (const [key, value] of broadcastEntries(state)) yield { key: toInspectJson(key), value: toInspectJson(value) };
      } else if (!sameEntries(broadcastCopy.state, state)) {
        options.onWarning?.(
          `broadcast state ${quote(name)} of operator ${quote(operator.uid)} differs between subtasks ` +
            `${broadcastCopy.subtask} and ${subtask.subtaskIndex}; the dump shows the copy of subtask ${broadcastCopy.subtask}`,
        );
      }
    } catch (error) {
      throw corruptFile(path, error);
    }
  }
  return found;
}

function bySubtask(operator: OperatorState) {
  return [...operator.subtasks].sort((a, b) => a.subtaskIndex - b.subtaskIndex);
}

function sameEntries(a: OperatorBroadcastStateSnapshot, b: OperatorBroadcastStateSnapshot): boolean {
  if (a.entries.length !== b.entries.length) return false;
  const entries = new Map(a.entries.map(([key, value]) => [hex(key), hex(value)]));
  return b.entries.every(([key, value]) => entries.get(hex(key)) === hex(value));
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function quote(text: string): string {
  return `'${text}'`;
}
