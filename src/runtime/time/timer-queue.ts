/**
 * The in-memory order of one time domain's timers: a binary min-heap by timestamp (then
 * by registration, so timers of equal time fire in the order they were registered) with
 * an index by (key, namespace, timestamp), which deduplicates and lets a timer be removed
 * in O(log n). The keyed state backend holds the timers for snapshots; this queue only
 * mirrors it, and is rebuilt from it after a restore.
 */
import { keyId, type Key, type KeyId } from '../../core/key-encoding.js';
import { VOID_NAMESPACE, type Namespace } from '../../state/namespace.js';
import type { InternalTimer } from './internal-timer-service.js';

/** A timer in the queue, with its index keys, its position in the heap and its registration order. */
interface QueuedTimer<K, N> {
  readonly timer: InternalTimer<K, N>;
  readonly kid: KeyId;
  readonly nid: NamespaceId;
  /** Position in the heap array; -1 once removed. */
  index: number;
  readonly seq: number;
}

/** The index key of a namespace: the namespace's key id, or the void namespace itself. */
type NamespaceId = KeyId | typeof VOID_NAMESPACE;

/** Timers of one time domain, earliest first. */
export class TimerQueue<K extends Key, N extends Namespace> {
  private readonly heap: Array<QueuedTimer<K, N>> = [];
  private readonly byKey = new Map<KeyId, Map<NamespaceId, Map<number, QueuedTimer<K, N>>>>();
  private nextSeq = 0;

  /** The number of timers. */
  get size(): number {
    return this.heap.length;
  }

  /** The earliest timer, or `undefined` when there is none. */
  peek(): InternalTimer<K, N> | undefined {
    return this.heap[0]?.timer;
  }

  /** Whether a timer for (key, namespace, timestamp) is queued. */
  contains(key: K, namespace: N, timestamp: number): boolean {
    return this.find(keyId(key), namespaceId(namespace), timestamp) !== undefined;
  }

  /** Adds a timer; returns false (and changes nothing) if the same timer is queued already. */
  add(key: K, namespace: N, timestamp: number): boolean {
    const kid = keyId(key);
    const nid = namespaceId(namespace);
    let namespaces = this.byKey.get(kid);
    if (namespaces === undefined) this.byKey.set(kid, (namespaces = new Map()));
    let times = namespaces.get(nid);
    if (times === undefined) namespaces.set(nid, (times = new Map()));
    if (times.has(timestamp)) return false;
    const queued: QueuedTimer<K, N> = {
      timer: Object.freeze({ key, namespace, timestamp }),
      kid,
      nid,
      index: this.heap.length,
      seq: this.nextSeq++,
    };
    times.set(timestamp, queued);
    this.heap.push(queued);
    this.siftUp(queued.index);
    return true;
  }

  /** Removes a timer; returns false if it was not queued. */
  remove(key: K, namespace: N, timestamp: number): boolean {
    const queued = this.find(keyId(key), namespaceId(namespace), timestamp);
    if (queued === undefined) return false;
    this.removeAt(queued.index);
    return true;
  }

  /** Removes and returns the earliest timer. */
  poll(): InternalTimer<K, N> | undefined {
    const head = this.heap[0];
    if (head === undefined) return undefined;
    this.removeAt(0);
    return head.timer;
  }

  /** Every queued timer, in no particular order (for tests and debugging). */
  *[Symbol.iterator](): IterableIterator<InternalTimer<K, N>> {
    for (const queued of this.heap.slice()) yield queued.timer;
  }

  private find(kid: KeyId, nid: NamespaceId, timestamp: number): QueuedTimer<K, N> | undefined {
    return this.byKey.get(kid)?.get(nid)?.get(timestamp);
  }

  private removeAt(index: number): void {
    const heap = this.heap;
    const removed = heap[index]!;
    this.unindex(removed);
    removed.index = -1;
    const last = heap.pop()!;
    if (index === heap.length) return;
    heap[index] = last;
    last.index = index;
    this.siftDown(index);
    this.siftUp(last.index);
  }

  private unindex(queued: QueuedTimer<K, N>): void {
    const { kid, nid } = queued;
    const namespaces = this.byKey.get(kid)!;
    const times = namespaces.get(nid)!;
    times.delete(queued.timer.timestamp);
    if (times.size > 0) return;
    namespaces.delete(nid);
    if (namespaces.size === 0) this.byKey.delete(kid);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const timer = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!before(timer, parent)) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = timer;
    timer.index = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const n = heap.length;
    const timer = heap[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right]!, heap[left]!) ? right : left;
      const smallest = heap[child]!;
      if (!before(smallest, timer)) break;
      heap[index] = smallest;
      smallest.index = index;
      index = child;
    }
    heap[index] = timer;
    timer.index = index;
  }
}

function before<K, N>(a: QueuedTimer<K, N>, b: QueuedTimer<K, N>): boolean {
  const at = a.timer.timestamp;
  const bt = b.timer.timestamp;
  return at < bt || (at === bt && a.seq < b.seq);
}

function namespaceId(namespace: Namespace): NamespaceId {
  return namespace === VOID_NAMESPACE ? VOID_NAMESPACE : keyId(namespace);
}
