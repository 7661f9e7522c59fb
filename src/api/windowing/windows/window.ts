/**
 * The base of all windows (Flink's `Window`): a group of elements that a trigger fires and
 * a window function evaluates together. A window is also the namespace under which its
 * keyed state and its timers are kept, so every window turns into a {@link Key}-like
 * value ({@link Window.namespace}) and back ({@link WindowCodec}).
 */
import type { Key } from '../../../core/key-encoding.js';

/** A window: a time range, the global window, or a user-defined grouping. */
export abstract class Window {
  /**
   * The largest timestamp that still belongs to this window, in milliseconds. Event-time
   * triggers fire when the watermark passes it, and a record whose window's
   * `maxTimestamp() + allowedLateness` is at or behind the watermark is late.
   */
  abstract maxTimestamp(): number;

  /**
   * This window as a state namespace: a {@link Key}-like value (a tuple for a time window)
   * that is equal, by canonical key bytes, exactly for equal windows. The window
   * operator scopes its state and its timers to it; {@link WindowCodec.fromNamespace}
   * turns it back into the window, also after a restore.
   */
  abstract namespace(): Key;

  /**
   * A string that is the same for equal windows and different for different ones, to key
   * JS `Map`s and `Set`s by window (windows are objects, compared by reference there).
   */
  abstract hashKey(): string;

  /** Whether `other` is the same window (by value, not by reference). */
  abstract equals(other: unknown): boolean;
}

/**
 * Turns windows of one type into state namespaces and back (Flink's window serializer).
 * Every {@link WindowAssigner} gives the codec of its windows, so that the window
 * operator can rebuild a window from a timer's namespace or from restored state.
 */
export interface WindowCodec<W extends Window> {
  /** `window.namespace()`. */
  toNamespace(window: W): Key;
  /**
   * The window whose {@link Window.namespace} is `namespace`.
   *
   * @throws {@link StateSerializationError} if `namespace` is not the namespace of such a window
   */
  fromNamespace(namespace: Key): W;
}
