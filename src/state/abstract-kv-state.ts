/**
 * What the state objects of every backend share: their name and kind, the current
 * namespace, and how they word their errors, so that a job sees the same message
 * whichever backend holds its state. Each backend's base class ({@link HeapKvState},
 * {@link RocksDBKvState}) adds where the values are.
 */
import { StateAccessError } from '../core/errors.js';
import type { StateKind } from './descriptors.js';
import type { InternalKvState } from './internal-kv-state.js';
import type { KeyContext } from './key-context.js';
import { VOID_NAMESPACE, type Namespace } from './namespace.js';
import { cannotStoreError, noCurrentKeyError } from './state-access-errors.js';

/** The base of every backend's state objects. */
export abstract class AbstractKvState<C extends KeyContext> implements InternalKvState {
  abstract readonly kind: StateKind;
  readonly name: string;
  protected readonly ctx: C;
  /** The namespace set by `setCurrentNamespace`. */
  protected namespace: Namespace = VOID_NAMESPACE;

  constructor(name: string, ctx: C) {
    this.name = name;
    this.ctx = ctx;
  }

  abstract setCurrentNamespace(namespace: Namespace): void;

  getCurrentNamespace(): Namespace {
    return this.namespace;
  }

  /** Runs `body` with the current namespace set to `namespace`, then restores it. */
  protected inNamespace<R>(namespace: Namespace, body: () => R): R {
    const saved = this.namespace;
    this.setCurrentNamespace(namespace);
    try {
      return body();
    } finally {
      this.setCurrentNamespace(saved);
    }
  }

  /** `operator 'x' (subtask 1/2): list state 'name'`, for error messages. */
  protected where(): string {
    return `${this.ctx.prefix}${this.kind} state '${this.name}'`;
  }

  /** A namespace that is not VOID_NAMESPACE and cannot be encoded as a key. */
  protected invalidNamespace(cause: unknown): StateAccessError {
    return new StateAccessError(
      `${this.where()}: a namespace must be VOID_NAMESPACE or a key-like value (string, number, bigint, boolean or a tuple of these): ${(cause as Error).message}`,
      { cause },
    );
  }

  protected noCurrentKey(): StateAccessError {
    return noCurrentKeyError(this.where(), this.ctx.disposed);
  }

  protected cannotStore(what: string, cause?: unknown): StateAccessError {
    return cannotStoreError(this.where(), what, cause);
  }

  /** A list element (not null or undefined) coming in from the user. */
  protected checkListElement(value: unknown): void {
    if (value === undefined || value === null) {
      throw new StateAccessError(`${this.where()}: cannot add ${String(value)}; list elements must not be null or undefined`);
    }
  }

  /** The elements of `values`, each through `element`, failing if it is not iterable. */
  protected listElements<T, E>(values: Iterable<T>, element: (value: T) => E): E[] {
    if (values === undefined || values === null || typeof (values as Iterable<T>)[Symbol.iterator] !== 'function') {
      throw new StateAccessError(`${this.where()}: expected an iterable of elements, got ${String(values)}`);
    }
    const out: E[] = [];
    for (const value of values) out.push(element(value));
    return out;
  }
}
