/**
 * Keyed state is scoped to the current key and a namespace. Ordinary functions only use
 * the default namespace; windows (and anything else that keeps several independent
 * values per key) switch the namespace of a state through
 * {@link InternalKvState.setCurrentNamespace}.
 */
import type { Key } from '../core/key-encoding.js';

/** The default namespace, which every state starts in. */
export const VOID_NAMESPACE: unique symbol = Symbol.for('eddy.voidNamespace');

/** The type of {@link VOID_NAMESPACE}. */
export type VoidNamespace = typeof VOID_NAMESPACE;

/**
 * A namespace: the default {@link VOID_NAMESPACE}, or any {@link Key}-like value. A window
 * turns itself into a key-like value, for instance a time window into the tuple
 * `[start, end]`; two namespaces are the same when their canonical key bytes are.
 */
export type Namespace = Key | VoidNamespace;
