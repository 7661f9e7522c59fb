/**
 * The StreamExecutionEnvironment a job's builder receives: job-wide settings and the
 * sources that start every stream. It records the stream graph; running it is the
 * cluster's business.
 */
import type { CheckpointConfigInput } from '../checkpoint/checkpoint-config.js';
import { JobDefinitionError } from '../core/errors.js';
import { jobNameProblem } from '../core/job-name.js';
import type { RestartStrategyConfig } from '../runtime/failover/restart-strategy.js';
import { MAX_PARALLELISM_UPPER_BOUND } from '../core/key-groups.js';
import type { Key } from '../core/key-encoding.js';
import type { StreamEdge, StreamGraph, StreamNode } from '../runtime/graph/stream-graph.js';
import type { Source } from '../runtime/source.js';
import { SourceWithWatermarks } from '../runtime/time/source-with-watermarks.js';
import { CollectionSource } from '../connectors/collection-source.js';
import { SequenceSource } from '../connectors/sequence-source.js';
import { DataStream } from './data-stream.js';
import { KeyedStream } from './keyed-stream.js';
import type { WatermarkStrategy } from './watermark-strategy.js';

/** Default of {@link StreamExecutionEnvironment.setAutoWatermarkInterval} (ms), as Flink's. */
const DEFAULT_AUTO_WATERMARK_INTERVAL_MS = 200;

/** The parallelism of operators when neither the run nor the job sets one. */
export const DEFAULT_PARALLELISM = 1;

/** What the runner passes in when it builds the graph. */
export interface EnvironmentContext {
  /** Job parameters (`--set key=value`). */
  readonly parameters: ReadonlyMap<string, string>;
  /** The run's default parallelism (`--parallelism`, `RunOptions.parallelism`), which overrides the job's. */
  readonly parallelism?: number | undefined;
}

/** The environment a job is built in (Flink's StreamExecutionEnvironment). */
export class StreamExecutionEnvironment {
  private readonly nodes: StreamNode[] = [];
  private readonly uids = new Set<string>();
  private parallelism: number | undefined;
  private maxParallelism: number | undefined;
  private checkpoint: CheckpointConfigInput | undefined;
  private restartStrategy: RestartStrategyConfig | undefined;
  private savepointDirectory: string | undefined;
  private jobName: string | undefined;
  private autoWatermarkInterval = DEFAULT_AUTO_WATERMARK_INTERVAL_MS;

  /** @internal */
  constructor(private readonly context: EnvironmentContext = { parameters: new Map() }) {}

  /** Sets the default parallelism of every operator (the CLI's `--parallelism` overrides it). */
  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw new JobDefinitionError(`setParallelism(${String(parallelism)}): parallelism must be an integer >= 1`);
    }
    this.parallelism = parallelism;
    return this;
  }

  /**
   * The default parallelism the job's operators run with: the run's (`--parallelism`,
   * `RunOptions.parallelism`), else the job's own {@link StreamExecutionEnvironment.setParallelism},
   * else 1. An operator's own `setParallelism` and a source's limit may still lower it.
   */
  getParallelism(): number {
    return this.context.parallelism ?? this.parallelism ?? DEFAULT_PARALLELISM;
  }

  /**
   * Sets the number of key groups of keyed state: the upper bound for rescaling, fixed for
   * the life of the state. @default min(max(roundUpToPowerOfTwo(p + p/2), 128), 32768)
   */
  setMaxParallelism(maxParallelism: number): this {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > MAX_PARALLELISM_UPPER_BOUND) {
      throw new JobDefinitionError(
        `setMaxParallelism(${String(maxParallelism)}): maxParallelism must be an integer in [1, ${MAX_PARALLELISM_UPPER_BOUND}]`,
      );
    }
    this.maxParallelism = maxParallelism;
    return this;
  }

  getMaxParallelism(): number | undefined {
    return this.maxParallelism;
  }

  /**
   * Names the job: `eddy run --resume` resumes the newest run of the job with this name,
   * and `eddy list` and the REST API show it. `--job-name` (and `RunOptions.jobName`)
   * override it. @default the job module's file name without its extension
   */
  setJobName(name: string): this {
    const problem = jobNameProblem(name);
    if (problem) throw new JobDefinitionError(`setJobName(): ${problem}`);
    this.jobName = name;
    return this;
  }

  /** Where savepoints go when a trigger names no directory; `--savepoint-dir` overrides it. */
  setDefaultSavepointDirectory(directory: string): this {
    if (typeof directory !== 'string' || directory.length === 0) {
      throw new JobDefinitionError('setDefaultSavepointDirectory() needs a non-empty path');
    }
    this.savepointDirectory = directory;
    return this;
  }

  /**
   * Takes a checkpoint every `intervalMs` (DESIGN §5); `--checkpoint-interval` overrides it.
   * @param mode `'exactly-once'` (aligned barriers, the default) or `'at-least-once'`
   */
  enableCheckpointing(intervalMs: number, mode?: 'exactly-once' | 'at-least-once'): this {
    this.checkpoint = { ...this.checkpoint, interval: intervalMs, ...(mode ? { mode } : {}) };
    return this;
  }

  /** Sets any checkpoint setting (timeout, retained checkpoints, …); the command line overrides them. */
  configureCheckpointing(settings: CheckpointConfigInput): this {
    this.checkpoint = { ...this.checkpoint, ...settings };
    return this;
  }

  /** How the job restarts after a failure, e.g. `RestartStrategies.fixedDelay(3, 1000)`. */
  setRestartStrategy(strategy: RestartStrategyConfig): this {
    this.restartStrategy = strategy;
    return this;
  }

  /**
   * How often (ms of processing time) watermark strategies emit periodic watermarks; 0
   * turns periodic emission off (only watermarks a generator emits in `onEvent` remain).
   * @default 200
   */
  setAutoWatermarkInterval(intervalMs: number): this {
    if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs < 0) {
      throw new JobDefinitionError(`setAutoWatermarkInterval(${String(intervalMs)}): expected a number of milliseconds >= 0`);
    }
    this.autoWatermarkInterval = intervalMs;
    return this;
  }

  getAutoWatermarkInterval(): number {
    return this.autoWatermarkInterval;
  }

  /** A job parameter given with `--set key=value`, or `fallback`. */
  getParameter(key: string): string | undefined;
  getParameter(key: string, fallback: string): string;
  getParameter(key: string, fallback?: string): string | undefined {
    return this.context.parameters.get(key) ?? fallback;
  }

  /** The integers `from..to` (inclusive), split evenly across the parallel instances. */
  fromSequence(from: number, to: number): DataStream<number> {
    return this.fromSource(new SequenceSource(from, to), 'Sequence');
  }

  /** The given items, in order, from a single (non-parallel) instance. */
  fromCollection<T>(items: Iterable<T>): DataStream<T> {
    return this.fromSource(new CollectionSource([...items]), 'Collection');
  }

  /**
   * Records from any {@link Source}. With a `watermarkStrategy` the source task gives its
   * records timestamps and makes watermarks (docs/TIME.md); without one its records keep
   * the timestamps the reader gives them and event time advances only at the end of input.
   */
  fromSource<T>(source: Source<T>, name: string, watermarkStrategy?: WatermarkStrategy<T>): DataStream<T> {
    const withTime = watermarkStrategy ? new SourceWithWatermarks<T>(source, watermarkStrategy, () => this.autoWatermarkInterval) : source;
    const node = this.addNode({
      kind: 'source',
      name: `Source: ${name}`,
      inputs: [],
      source: withTime as Source<unknown>,
      stateKeySelector: undefined,
    });
    return new DataStream<T>(this, [{ sourceNodeId: node.id, partitioner: undefined }], node);
  }

  /** @internal */
  addNode(spec: Omit<StreamNode, 'id' | 'uid' | 'parallelism'>): StreamNode {
    const node: StreamNode = { ...spec, id: this.nodes.length, uid: undefined, parallelism: undefined };
    this.nodes.push(node);
    return node;
  }

  /** @internal */
  keyedStream<T, K extends Key>(edges: StreamEdge[], selector: (record: unknown) => Key): KeyedStream<T, K> {
    return new KeyedStream<T, K>(this, edges, selector);
  }

  /** @internal */
  registerUid(uid: string): void {
    if (typeof uid !== 'string' || uid.length === 0) throw new JobDefinitionError('uid() needs a non-empty string');
    if (this.uids.has(uid)) throw new JobDefinitionError(`uid '${uid}' is used by two operators; uids must be unique`);
    this.uids.add(uid);
  }

  /** @internal */
  toStreamGraph(): StreamGraph {
    return {
      nodes: this.nodes,
      defaultParallelism: this.parallelism ?? DEFAULT_PARALLELISM,
      maxParallelism: this.maxParallelism,
      checkpoint: this.checkpoint,
      restartStrategy: this.restartStrategy,
      savepointDirectory: this.savepointDirectory,
      jobName: this.jobName,
    };
  }
}
