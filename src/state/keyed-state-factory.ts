/**
 * The seam through which every keyed state object is created, on every backend (Flink's
 * `KeyedStateFactory`). A decorator wrapped around it sees every state of every kind a
 * job requests, which is where state TTL (a later issue) will hook in without any
 * backend knowing about it.
 */
import type { StateDescriptor } from './descriptors.js';
import type { InternalKvState } from './internal-kv-state.js';

/**
 * Creates the state object for a descriptor that has not been requested before.
 * {@link AbstractKeyedStateBackend} is the one caller: it hands out what this returns and
 * returns the same object on every later request of the name.
 *
 * The backend's own factory registers the state under `descriptor.name`, checks it
 * against restored state (kind, serializers, version; migrating older values) and
 * builds the backend's object for `descriptor.kind`.
 */
export interface KeyedStateFactory {
  /**
   * The state object for `descriptor`. It must implement the interface of
   * `descriptor.kind` ({@link InternalValueState}, {@link InternalListState}…), including
   * `mergeNamespaces` for list, reducing and aggregating state.
   *
   * @throws {@link StateAccessError} or {@link RestoreError} as
   *   {@link KeyedStateBackend.getPartitionedState} documents
   */
  createInternalState(descriptor: StateDescriptor<unknown>): InternalKvState;
}

/**
 * Wraps a backend's {@link KeyedStateFactory}, given as `backend`, e.g. to decorate every
 * state object it creates. A TTL decorator (Flink's `TtlStateFactory`) would, for a
 * descriptor with a time-to-live:
 *
 * 1. call `backend.createInternalState` with a copy of the descriptor whose serializer
 *    stores each value with its last-access time (so snapshots, restore and migration
 *    checks apply to what is really stored, on every backend alike), then
 * 2. return an object of the same kind that delegates to it, dropping expired values on
 *    read and stamping values on write.
 *
 * Descriptors without a TTL are passed through unchanged. Key listing and snapshots keep
 * working on the backend's own objects, so they need no decorator support.
 */
export type KeyedStateFactoryDecorator = (backend: KeyedStateFactory) => KeyedStateFactory;
