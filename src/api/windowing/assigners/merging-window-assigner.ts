/**
 * Assigners whose windows can merge (session windows), as Flink's
 * `MergingWindowAssigner`: each element gets a window of its own, and the window
 * operator merges the windows that overlap, together with their state and triggers.
 */
import { defineBrand } from '../../../core/brand.js';
import type { Window } from '../windows/window.js';
import { WindowAssigner } from './window-assigner.js';

/**
 * Called by {@link MergingWindowAssigner.mergeWindows} for each group of windows that
 * merge: `toBeMerged` (two or more distinct windows) become `mergeResult`.
 */
export type MergeCallback<W extends Window> = (toBeMerged: readonly W[], mergeResult: W) => void;

/** A {@link WindowAssigner} whose windows merge. */
export abstract class MergingWindowAssigner<T, W extends Window> extends WindowAssigner<T, W> {
  /**
   * Finds the windows among `windows` that merge, and calls `callback` once per group of
   * windows that merge into one. Windows that merge with no other are not reported.
   */
  abstract mergeWindows(windows: Iterable<W>, callback: MergeCallback<W>): void;
}

const MERGING_WINDOW_ASSIGNER = defineBrand<MergingWindowAssigner<unknown, Window>>('merging-window-assigner');
MERGING_WINDOW_ASSIGNER.mark(MergingWindowAssigner.prototype);

/**
 * Whether `assigner` merges its windows (the window operator then keeps a {@link MergingWindowSet}).
 * A brand, not `instanceof`: the assigner may come from another copy of Eddy than the operator.
 */
export function isMergingWindowAssigner<T, W extends Window>(
  assigner: WindowAssigner<T, W>,
): assigner is MergingWindowAssigner<T, W> {
  return MERGING_WINDOW_ASSIGNER.is(assigner);
}
