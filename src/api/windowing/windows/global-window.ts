/**
 * The one window of {@link GlobalWindows}: every element of a key goes into it, and it
 * never ends, so it only fires through a trigger that is not about time (a count
 * trigger) or at the end of input.
 */
import { defineBrand } from '../../../core/brand.js';
import { StateSerializationError } from '../../../core/errors.js';
import type { Key } from '../../../core/key-encoding.js';
import { Window, type WindowCodec } from './window.js';

const NAMESPACE: Key = Object.freeze([]) as Key;

/**
 * The global window (Flink's `GlobalWindow`), a singleton: {@link GlobalWindow.get}.
 * Its {@link GlobalWindow.maxTimestamp} is `+Infinity`, the end of time; its state
 * namespace is the empty tuple `[]`.
 */
export class GlobalWindow extends Window {
  private static readonly INSTANCE = new GlobalWindow();

  /** Turns the global window into its namespace `[]` and back. */
  static readonly codec: WindowCodec<GlobalWindow> = {
    toNamespace: () => NAMESPACE,
    fromNamespace: (namespace) => {
      if (Array.isArray(namespace) && namespace.length === 0) return GlobalWindow.INSTANCE;
      throw new StateSerializationError(
        `not the namespace of the global window: expected the empty tuple [], found ${String(namespace)}`,
      );
    },
  };

  private constructor() {
    super();
  }

  /** The global window. */
  static get(): GlobalWindow {
    return GlobalWindow.INSTANCE;
  }

  /** `+Infinity`: the global window never ends. */
  maxTimestamp(): number {
    return Number.POSITIVE_INFINITY;
  }

  /** `[]`. */
  namespace(): Key {
    return NAMESPACE;
  }

  hashKey(): string {
    return 'GlobalWindow';
  }

  equals(other: unknown): boolean {
    return isGlobalWindow(other);
  }

  override toString(): string {
    return 'GlobalWindow';
  }
}

const GLOBAL_WINDOW = defineBrand<GlobalWindow>('global-window');
GLOBAL_WINDOW.mark(GlobalWindow.prototype);

/** Whether `value` is the {@link GlobalWindow} (of any copy of Eddy). */
export function isGlobalWindow(value: unknown): value is GlobalWindow {
  return GLOBAL_WINDOW.is(value);
}
