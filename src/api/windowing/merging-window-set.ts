/**
 * The window operator's bookkeeping for merging (session) windows, as Flink's
 * `MergingWindowSet`. When windows merge, their contents are not moved: the merged
 * window keeps using the state of one of them (its *state window*), into which the
 * others' state is merged. So each in-flight window maps to the window under whose
 * namespace its state lives, and that mapping is kept per key in keyed state, so it is in
 * every checkpoint and moves with the key when the job is rescaled.
 */
import { StateAccessError } from '../../core/errors.js';
import type { Key } from '../../core/key-encoding.js';
import type { MergingWindowAssigner } from './assigners/merging-window-assigner.js';
import type { Window, WindowCodec } from './windows/window.js';

/**
 * Where a {@link MergingWindowSet} keeps its mapping for the current key: pairs
 * `[window namespace, state window namespace]`. A `ListState<[Key, Key]>` of the
 * operator's keyed backend (default namespace) is one, as Flink keeps a
 * `ListState<Tuple2<W, W>>`.
 */
export interface MergingWindowStore {
  /** The stored pairs; empty when there are none. */
  get(): Iterable<readonly [Key, Key]>;
  /** Replaces the stored pairs. */
  update(pairs: Iterable<[Key, Key]>): void;
}

/**
 * What {@link MergingWindowSet.addWindow} calls when the new window merges with in-flight
 * windows, once per merge: the window operator merges the state of `mergedStateWindows`
 * into `stateWindowResult`, merges the triggers into `mergeResult`
 * (`trigger.onMerge`), and clears the triggers and cleanup timers of `mergedWindows`.
 *
 * @param mergeResult - the window the merged windows become
 * @param mergedWindows - the in-flight windows merged into it (never the new window)
 * @param stateWindowResult - the state window of `mergeResult`: the state window of one of
 *   `mergedWindows`
 * @param mergedStateWindows - the other merged windows' state windows, whose state is to
 *   be merged into `stateWindowResult`
 */
export type MergeFunction<W extends Window> = (
  mergeResult: W,
  mergedWindows: readonly W[],
  stateWindowResult: W,
  mergedStateWindows: readonly W[],
) => void;

/**
 * The in-flight windows of one key and their state windows. Create one per key when an
 * element (or a timer) of that key is processed, and call {@link MergingWindowSet.persist}
 * before moving on to another key.
 */
export class MergingWindowSet<W extends Window> {
  private readonly assigner: MergingWindowAssigner<unknown, W>;
  private readonly codec: WindowCodec<W>;
  private readonly store: MergingWindowStore;
  /** hashKey of an in-flight window → [window, its state window]. */
  private readonly mapping = new Map<string, [W, W]>();
  /** The mapping as loaded, as hashKey pairs, to write only when it changed. */
  private readonly initial = new Map<string, string>();

  /** Loads the mapping of the current key from `store`. */
  constructor(assigner: MergingWindowAssigner<unknown, W>, store: MergingWindowStore) {
    this.assigner = assigner;
    this.codec = assigner.getWindowCodec();
    this.store = store;
    for (const [window, stateWindow] of store.get()) {
      const w = this.codec.fromNamespace(window);
      const s = this.codec.fromNamespace(stateWindow);
      this.mapping.set(w.hashKey(), [w, s]);
      this.initial.set(w.hashKey(), s.hashKey());
    }
  }

  /** Writes the mapping back to the store, if it changed since it was loaded. */
  persist(): void {
    if (!this.changed()) return;
    const pairs: [Key, Key][] = [];
    for (const [window, stateWindow] of this.mapping.values()) {
      pairs.push([this.codec.toNamespace(window), this.codec.toNamespace(stateWindow)]);
    }
    this.store.update(pairs);
  }

  /**
   * The window whose namespace holds the state of in-flight window `window`, or
   * `undefined` if `window` is not in flight.
   */
  getStateWindow(window: W): W | undefined {
    return this.mapping.get(window.hashKey())?.[1];
  }

  /**
   * Removes `window` from the in-flight windows, once it has fired for the last time and
   * its state is cleared.
   *
   * @throws {@link StateAccessError} if `window` is not in flight
   */
  retireWindow(window: W): void {
    if (!this.mapping.delete(window.hashKey())) {
      throw new StateAccessError(`window ${String(window)} is not in the in-flight window set, so it cannot be retired`);
    }
  }

  /** The in-flight windows, in no particular order. */
  windows(): W[] {
    return [...this.mapping.values()].map(([window]) => window);
  }

  /**
   * Adds `newWindow` to the in-flight windows and merges it with every in-flight window
   * it overlaps (by the assigner's `mergeWindows`), calling `mergeFunction` for each merge
   * that involves windows with state. Returns the window `newWindow` ended up in: itself,
   * the merge result it became part of, or the in-flight window that already covers it.
   */
  addWindow(newWindow: W, mergeFunction: MergeFunction<W>): W {
    const newKey = newWindow.hashKey();
    // A window that is already in flight merges with nothing (in-flight windows never
    // overlap each other) and keeps its state window. (Flink would map it to itself
    // again, losing its state window if it is itself the result of a merge.)
    if (this.mapping.has(newKey)) return newWindow;

    const windows = this.windows();
    windows.push(newWindow);
    const merges: { result: W; merged: W[] }[] = [];
    this.assigner.mergeWindows(windows, (toBeMerged, mergeResult) => {
      merges.push({ result: mergeResult, merged: [...toBeMerged] });
    });

    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const { result, merged } of merges) {
      // if the new window is among the merged ones, the merge result is where it ends up
      const at = merged.findIndex((window) => window.hashKey() === newKey);
      if (at >= 0) {
        merged.splice(at, 1);
        mergedNewWindow = true;
        resultWindow = result;
      }
      // the merge result takes the state window of one of the in-flight windows
      const stateWindowResult = this.mapping.get(merged[0]!.hashKey())![1];
      const mergedStateWindows: W[] = [];
      for (const window of merged) {
        const entry = this.mapping.get(window.hashKey());
        if (entry === undefined) continue;
        this.mapping.delete(window.hashKey());
        if (entry[1].hashKey() !== stateWindowResult.hashKey()) mergedStateWindows.push(entry[1]);
      }
      this.mapping.set(result.hashKey(), [result, stateWindowResult]);
      // Merging only the new window into an in-flight window that already covers it
      // changes nothing: there is no state or trigger to merge.
      const onlyIntoItself = merged.length === 1 && merged[0]!.hashKey() === result.hashKey();
      if (!onlyIntoItself) mergeFunction(result, merged, stateWindowResult, mergedStateWindows);
    }

    // the new window merged with nothing: it is its own state window
    if (!mergedNewWindow && !this.mapping.has(newKey)) this.mapping.set(newKey, [newWindow, newWindow]);
    return resultWindow;
  }

  toString(): string {
    const entries = [...this.mapping.values()].map(([w, s]) => `${String(w)} -> ${String(s)}`);
    return `MergingWindowSet{${entries.join(', ')}}`;
  }

  private changed(): boolean {
    if (this.mapping.size !== this.initial.size) return true;
    for (const [key, [, stateWindow]] of this.mapping) {
      if (this.initial.get(key) !== stateWindow.hashKey()) return true;
    }
    return false;
  }
}
