/**
 * DataStream: a stream of records of one type, and the operations that make new ones.
 * Partitioning calls (`keyBy`, `rebalance`, `broadcast`, `union`…) create no operator;
 * they decide how the next operator's input edges are partitioned, as in Flink.
 */
import { JobDefinitionError, KeyError } from '../core/errors.js';
import { validateKey } from '../core/key-encoding.js';
import type { Key } from '../core/key-encoding.js';
import type { PartitionerKind, StreamEdge, StreamNode } from '../runtime/graph/stream-graph.js';
import type { OperatorFactory } from '../runtime/operators/stream-operator.js';
import type { Sink } from '../runtime/sink.js';
import type { StreamExecutionEnvironment } from './environment.js';
import type { FilterFunction, FlatMapFunction, KeySelector, MapFunction, ProcessFunction } from './functions.js';
import { FilterOperator } from './operators/filter-operator.js';
import { FlatMapOperator } from './operators/flat-map-operator.js';
import { MapOperator } from './operators/map-operator.js';
import { ProcessOperator } from './operators/process-operator.js';
import { SinkOperator } from './operators/sink-operator.js';
import { TimestampsAndWatermarksOperator } from './operators/timestamps-and-watermarks-operator.js';
import type { OutputTag } from './output-tag.js';
import type { WatermarkStrategy } from './watermark-strategy.js';
import type { KeyedStream } from './keyed-stream.js';

/** A stream of records of type `T`. */
export class DataStream<T> {
  /** @internal */
  constructor(
    /** @internal */ readonly env: StreamExecutionEnvironment,
    /** @internal the edges the next operator reads this stream through */
    readonly edges: readonly StreamEdge[],
    /** @internal the operator that produces the stream, when it is a single one */
    readonly node: StreamNode | undefined,
  ) {}

  /** Applies `fn` to every record. */
  map<R>(fn: MapFunction<T, R>): DataStream<R> {
    return this.transform('Map', () => new MapOperator(fn));
  }

  /** Keeps the records for which `fn` returns true. */
  filter(fn: FilterFunction<T>): DataStream<T> {
    return this.transform('Filter', () => new FilterOperator(fn));
  }

  /** Emits any number of records per input record. */
  flatMap<R>(fn: FlatMapFunction<T, R>): DataStream<R> {
    return this.transform('Flat Map', () => new FlatMapOperator(fn));
  }

  /** Runs a {@link ProcessFunction} on every record. */
  process<R>(fn: ProcessFunction<T, R>): DataStream<R> {
    return this.transform('Process', () => new ProcessOperator(fn));
  }

  /**
   * Gives every record a timestamp and makes new watermarks with `strategy` (docs/TIME.md).
   * Watermarks from upstream are dropped, except the end of event time at the end of input.
   * Periodic watermarks are emitted every `env.setAutoWatermarkInterval` ms (200 by default).
   */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): DataStream<T> {
    const env = this.env;
    return this.transform('Timestamps/Watermarks', () => new TimestampsAndWatermarksOperator<T>(strategy, () => env.getAutoWatermarkInterval()));
  }

  /**
   * Partitions the stream by key: records with the same key go to the same parallel
   * instance (through their key group), and the next operator gets keyed state.
   * @param selector returns a string, number, bigint, boolean or a tuple of those
   */
  keyBy<K extends Key>(selector: KeySelector<T, K>): KeyedStream<T, K> {
    const after = this.node ? `'${this.node.uid ?? this.node.name}'` : 'a union or partitioning';
    const checked = (record: unknown): Key => {
      const key = selector(record as T);
      try {
        return validateKey(key);
      } catch (error) {
        throw new KeyError(`keyBy() after ${after}: ${(error as Error).message}`);
      }
    };
    return this.env.keyedStream<T, K>(this.repartition('hash', checked), checked);
  }

  /** Spreads records round-robin over all instances of the next operator. */
  rebalance(): DataStream<T> {
    return new DataStream(this.env, this.repartition('rebalance'), undefined);
  }

  /** Round-robin over a subset of the next operator's instances (fewer channels than rebalance). */
  rescale(): DataStream<T> {
    return new DataStream(this.env, this.repartition('rescale'), undefined);
  }

  /** Sends every record to every instance of the next operator. */
  broadcast(): DataStream<T> {
    return new DataStream(this.env, this.repartition('broadcast'), undefined);
  }

  /** Sends every record to the first instance of the next operator. */
  global(): DataStream<T> {
    return new DataStream(this.env, this.repartition('global'), undefined);
  }

  /** Keeps records on the same instance index (both sides need the same parallelism). */
  forward(): DataStream<T> {
    return new DataStream(this.env, this.repartition('forward'), undefined);
  }

  /**
   * The side output `tag` of this stream's operator (what its process function emitted
   * with `ctx.output(tag, value)`), as a stream of its own.
   */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    const node = this.requireNode('getSideOutput');
    return new DataStream<X>(this.env, [{ sourceNodeId: node.id, partitioner: undefined, outputTag: tag.id }], undefined);
  }

  /** Merges streams of the same type into one. */
  union(...others: DataStream<T>[]): DataStream<T> {
    for (const o of others) {
      if (o.env !== this.env) throw new JobDefinitionError('union(): streams come from different environments');
    }
    return new DataStream(this.env, [...this.edges, ...others.flatMap((o) => o.edges)], undefined);
  }

  /** Writes the stream to a sink. */
  sinkTo(sink: Sink<T>): DataStreamSink {
    const node = this.env.addNode({
      kind: 'sink',
      name: sink.name ? `Sink: ${sink.name}` : 'Sink',
      inputs: [...this.edges],
      operatorFactory: () => new SinkOperator(sink),
      stateKeySelector: undefined,
    });
    return new DataStreamSink(node, this.env);
  }

  /** Sets the operator's uid: the stable name its state is stored under in checkpoints and savepoints. */
  uid(uid: string): this {
    this.requireNode('uid').uid = uid;
    this.env.registerUid(uid);
    return this;
  }

  /** Sets the operator's display name. */
  name(name: string): this {
    this.requireNode('name').name = name;
    return this;
  }

  /** Sets the operator's parallelism. */
  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw new JobDefinitionError(`setParallelism(${String(parallelism)}): parallelism must be an integer >= 1`);
    }
    this.requireNode('setParallelism').parallelism = parallelism;
    return this;
  }

  /** @internal adds a one-input operator reading this stream. */
  transform<R>(name: string, factory: OperatorFactory, keySelector?: (record: unknown) => Key): DataStream<R> {
    const node = this.env.addNode({
      kind: 'operator',
      name,
      inputs: [...this.edges],
      operatorFactory: factory,
      stateKeySelector: keySelector,
    });
    return new DataStream<R>(this.env, [{ sourceNodeId: node.id, partitioner: undefined }], node);
  }

  private repartition(partitioner: PartitionerKind, keySelector?: (record: unknown) => Key): StreamEdge[] {
    return this.edges.map((e) => ({ sourceNodeId: e.sourceNodeId, partitioner, keySelector }));
  }

  private requireNode(call: string): StreamNode {
    if (!this.node) {
      throw new JobDefinitionError(
        `${call}() applies to an operator, but this stream comes from keyBy/union/a partitioning call; call it right after the operator`,
      );
    }
    return this.node;
  }
}

/** The end of a stream: a sink operator, which can be given a uid, a name and a parallelism. */
export class DataStreamSink {
  /** @internal */
  constructor(
    private readonly node: StreamNode,
    private readonly env: StreamExecutionEnvironment,
  ) {}

  uid(uid: string): this {
    this.node.uid = uid;
    this.env.registerUid(uid);
    return this;
  }

  name(name: string): this {
    this.node.name = name;
    return this;
  }

  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw new JobDefinitionError(`setParallelism(${String(parallelism)}): parallelism must be an integer >= 1`);
    }
    this.node.parallelism = parallelism;
    return this;
  }
}
