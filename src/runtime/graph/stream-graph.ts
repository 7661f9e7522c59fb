/**
 * The stream graph: one node per user operation, as the API records it. Every thread
 * that runs the job builds the same graph from the same job module, so node ids are
 * assigned in construction order and must come out identical everywhere.
 */
import type { CheckpointConfigInput } from '../../checkpoint/checkpoint-config.js';
import type { Key } from '../../core/key-encoding.js';
import type { RestartStrategyConfig } from '../failover/restart-strategy.js';
import type { OperatorFactory } from '../operators/stream-operator.js';
import type { Source } from '../source.js';

/** How records of an edge are spread over the consumer's parallel instances. */
export type PartitionerKind = 'forward' | 'rebalance' | 'rescale' | 'broadcast' | 'hash' | 'global';

/** An input of a node: where it comes from and how it is partitioned. */
export interface StreamEdge {
  readonly sourceNodeId: number;
  /** `undefined` means: forward when parallelisms match, else rebalance (as Flink). */
  readonly partitioner: PartitionerKind | undefined;
  /** The key selector of a `hash` edge. */
  readonly keySelector?: (record: unknown) => Key;
  /** Set when the edge reads the source node's side output with this tag id instead of its main output. */
  readonly outputTag?: string;
}

/** One user operation. */
export interface StreamNode {
  readonly id: number;
  readonly kind: 'source' | 'operator' | 'sink';
  name: string;
  uid: string | undefined;
  /** Set by `setParallelism`; otherwise the environment's default applies. */
  parallelism: number | undefined;
  readonly inputs: StreamEdge[];
  /** For sources. */
  readonly source?: Source<unknown>;
  /** For operators and sinks. */
  readonly operatorFactory?: OperatorFactory;
  /** Present when the operator runs on a keyed stream: gives the key of each record. */
  readonly stateKeySelector?: (record: unknown) => Key;
}

/** Everything `defineJob`'s builder produced, plus the environment's settings. */
export interface StreamGraph {
  readonly nodes: readonly StreamNode[];
  readonly defaultParallelism: number;
  /** Explicit maxParallelism, or undefined for the default of §3. */
  readonly maxParallelism: number | undefined;
  /** The job's own checkpoint settings (the command line overrides them). */
  readonly checkpoint: CheckpointConfigInput | undefined;
  /** The job's own restart strategy (the command line overrides it). */
  readonly restartStrategy: RestartStrategyConfig | undefined;
  /** The job's default savepoint directory (`--savepoint-dir` overrides it). */
  readonly savepointDirectory?: string | undefined;
  /** The name the job gave itself (`env.setJobName`); `--job-name` overrides it. */
  readonly jobName?: string | undefined;
}

/**
 * The uid state is stored under: the user's `uid(…)`, or one derived from the node's
 * position in the graph (which changes when the job changes: set uids on stateful
 * operators).
 */
export function operatorUid(node: StreamNode): string {
  return node.uid ?? `auto-${node.id}`;
}

/**
 * The nodes that keep state but have no uid: sources (read positions), operators on a
 * keyed stream, and operators that say they keep operator state. Their state is stored
 * under a uid derived from their position, which a changed job may not match.
 */
export function statefulNodesWithoutUid(graph: StreamGraph): StreamNode[] {
  return graph.nodes.filter((node) => {
    if (node.uid !== undefined) return false;
    if (node.kind === 'source' || node.stateKeySelector !== undefined) return true;
    return node.operatorFactory?.().keepsState === true;
  });
}
