/**
 * What the five RocksDB state kinds share: the namespace switch, the entry key of the
 * current (key, namespace), and serialization of values (every write serializes, every
 * read deserializes, so callers never share objects with stored state). What states of
 * every backend share is in {@link AbstractKvState}.
 */
import { encodeKey } from '../../core/key-encoding.js';
import { AbstractKvState } from '../abstract-kv-state.js';
import { checkStorable } from '../copy-value.js';
import type { StateBlockCodec } from '../keyed-snapshot/state-block-codec.js';
import { VOID_NAMESPACE, type Namespace } from '../namespace.js';
import type { TypeSerializer } from '../serializer.js';
import type { ColumnSlot, RocksDBKeyContext } from './rocksdb-key-context.js';
import { concatBytes, encodeNamespace, VOID_NAMESPACE_BYTES } from './rocksdb-key-layout.js';

/** The base of the RocksDB state objects. */
export abstract class RocksDBKvState extends AbstractKvState<RocksDBKeyContext> {
  /** The column family; the backend rebinds it after a restore. */
  readonly column: ColumnSlot;
  protected readonly serializer: TypeSerializer<unknown>;
  protected readonly userKeySerializer: TypeSerializer<unknown>;
  private namespaceBytes: Uint8Array = VOID_NAMESPACE_BYTES;
  /** The entry key of (cachedFor, namespaceBytes), rebuilt when either changes. */
  private cachedKey: Uint8Array = VOID_NAMESPACE_BYTES;
  private cachedFor: Uint8Array | undefined;

  constructor(name: string, column: ColumnSlot, ctx: RocksDBKeyContext, codec: StateBlockCodec) {
    super(name, ctx);
    this.column = column;
    this.serializer = codec.value;
    this.userKeySerializer = codec.userKey;
  }

  setCurrentNamespace(namespace: Namespace): void {
    if (namespace === this.namespace) return;
    if (namespace === VOID_NAMESPACE) {
      this.namespaceBytes = VOID_NAMESPACE_BYTES;
    } else {
      try {
        this.namespaceBytes = encodeNamespace(encodeKey(namespace));
      } catch (cause) {
        throw this.invalidNamespace(cause);
      }
    }
    this.namespace = namespace;
    this.cachedFor = undefined;
  }

  clear(): void {
    this.ctx.db.delete(this.column.cf, this.entryKey());
  }

  /** The entry key of the current key and namespace (`[key group][key][namespace]`). */
  protected entryKey(): Uint8Array {
    const prefix = this.ctx.keyPrefix;
    if (prefix !== this.cachedFor) {
      if (this.ctx.keyGroup < 0) throw this.noCurrentKey();
      this.cachedKey = concatBytes(prefix, this.namespaceBytes);
      this.cachedFor = prefix;
    }
    return this.cachedKey;
  }

  /** The stored bytes for the current key and namespace. */
  protected readBytes(): Uint8Array | undefined {
    return this.ctx.db.get(this.column.cf, this.entryKey());
  }

  protected writeBytes(bytes: Uint8Array): void {
    this.ctx.db.put(this.column.cf, this.entryKey(), bytes);
  }

  /** Serializes a value coming in from the user (a list element, a map value, a value…). */
  protected serialize(value: unknown): Uint8Array {
    if (typeof value === 'function' || typeof value === 'symbol') throw this.cannotStore(`a ${typeof value}`);
    try {
      if (typeof value === 'object') checkStorable(value);
      return this.serializer.serialize(value);
    } catch (cause) {
      throw this.cannotStore('this value', cause);
    }
  }

  protected deserialize(bytes: Uint8Array): unknown {
    return this.serializer.deserialize(bytes);
  }
}
