/**
 * How operator state moves when the parallelism changes (DESIGN §4.2). Pure functions:
 * they build new arrays and never mutate their input; items themselves are shared, not
 * cloned (snapshot bytes are immutable).
 */
import { RestoreError } from '../../core/errors.js';
import type {
  OperatorBroadcastStateSnapshot,
  OperatorListStateSnapshot,
  OperatorStateEntry,
  OperatorStateSnapshot,
} from './operator-state-snapshot.js';

/**
 * Even split: the items of all old instances, concatenated in old-subtask order, are cut
 * into `newParallelism` contiguous runs; the first `total % newParallelism` runs get one
 * item more. 7 items onto 3 instances give runs of 3, 2 and 2.
 *
 * @param old - the items of each old instance, indexed by old subtask
 * @returns the items of each new instance, indexed by new subtask
 */
export function redistributeEvenSplit<T>(old: readonly (readonly T[])[], newParallelism: number): T[][] {
  checkParallelism(newParallelism);
  const all = old.flat() as T[];
  const base = Math.floor(all.length / newParallelism);
  const extra = all.length % newParallelism;
  const result: T[][] = [];
  let start = 0;
  for (let i = 0; i < newParallelism; i++) {
    const size = base + (i < extra ? 1 : 0);
    result.push(all.slice(start, start + size));
    start += size;
  }
  return result;
}

/**
 * Union: every new instance gets all items of all old instances, concatenated in
 * old-subtask order.
 *
 * @returns `newParallelism` lists with equal contents (distinct arrays)
 */
export function redistributeUnion<T>(old: readonly (readonly T[])[], newParallelism: number): T[][] {
  checkParallelism(newParallelism);
  const all = old.flat() as T[];
  return Array.from({ length: newParallelism }, () => all.slice());
}

/**
 * Broadcast: new instance *i* gets old copy *i mod oldParallelism*.
 *
 * @param old - one copy per old instance (at least one)
 * @throws RangeError if `old` is empty: there is no copy to hand out
 */
export function redistributeBroadcast<M>(old: readonly M[], newParallelism: number): M[] {
  checkParallelism(newParallelism);
  if (old.length === 0) throw new RangeError('broadcast redistribution needs at least one old copy');
  return Array.from({ length: newParallelism }, (_, i) => old[i % old.length]!);
}

/**
 * Redistributes the operator state of all old instances onto `newParallelism` new ones,
 * each state by its mode. Every new snapshot lists every state name that any old instance
 * had (possibly with no items), sorted by name.
 *
 * A state missing on some old instances contributes no items there (split, union); for
 * broadcast, the copies are those of the instances that have it, in old-subtask order,
 * and new instance *i* gets copy *i mod copies* (as Flink does).
 *
 * @param old - the snapshots of the old instances, indexed by old subtask
 * @throws {@link RestoreError} if old instances disagree on a state's mode, serializer or
 * descriptor version
 */
export function redistributeOperatorState(
  old: readonly OperatorStateSnapshot[],
  newParallelism: number,
): OperatorStateSnapshot[] {
  checkParallelism(newParallelism);
  const byName = new Map<string, { subtask: number; state: OperatorStateEntry }[]>();
  old.forEach((snapshot, subtask) => {
    for (const state of snapshot.states) {
      const list = byName.get(state.name) ?? [];
      list.push({ subtask, state });
      byName.set(state.name, list);
    }
  });

  const result: OperatorStateEntry[][] = Array.from({ length: newParallelism }, () => []);
  for (const name of [...byName.keys()].sort()) {
    const copies = byName.get(name)!;
    const first = copies[0]!.state;
    for (const { subtask, state } of copies) checkConsistent(first, copies[0]!.subtask, state, subtask);
    const parts = spread(copies.map((c) => c.state), first, newParallelism);
    parts.forEach((part, i) => result[i]!.push(part));
  }
  return result.map((states) => ({ states }));
}

/** Spreads the old copies of one state (all of `first`'s mode) onto the new instances. */
function spread(copies: readonly OperatorStateEntry[], first: OperatorStateEntry, newParallelism: number): OperatorStateEntry[] {
  if (first.mode === 'broadcast') {
    return redistributeBroadcast(copies as readonly OperatorBroadcastStateSnapshot[], newParallelism);
  }
  const lists = (copies as readonly OperatorListStateSnapshot[]).map((c) => c.items);
  const parts = first.mode === 'split' ? redistributeEvenSplit(lists, newParallelism) : redistributeUnion(lists, newParallelism);
  const { name, mode, descriptorVersion, serializer } = first;
  return parts.map((items) => ({ name, mode, descriptorVersion, serializer, items }));
}

function checkConsistent(a: OperatorStateEntry, subtaskA: number, b: OperatorStateEntry, subtaskB: number): void {
  const differ = (what: string, x: string, y: string): RestoreError =>
    new RestoreError(
      `operator state '${a.name}' has ${what} ${x} on old subtask ${subtaskA} but ${y} on old subtask ${subtaskB}; ` +
        'all parallel instances must agree',
    );
  if (a.mode !== b.mode) throw differ('mode', `'${a.mode}'`, `'${b.mode}'`);
  if (a.descriptorVersion !== b.descriptorVersion) {
    throw differ('descriptor version', String(a.descriptorVersion), String(b.descriptorVersion));
  }
  const sa = serializerText(a);
  const sb = serializerText(b);
  if (sa !== sb) throw differ('serializer', sa, sb);
}

function serializerText(state: OperatorStateEntry): string {
  const value = `'${state.serializer.id}' v${state.serializer.version}`;
  return state.mode === 'broadcast'
    ? `${value} (keys '${state.keySerializer.id}' v${state.keySerializer.version})`
    : value;
}

function checkParallelism(newParallelism: number): void {
  if (!Number.isInteger(newParallelism) || newParallelism < 1) {
    throw new RangeError(`new parallelism must be an integer >= 1, got ${String(newParallelism)}`);
  }
}
