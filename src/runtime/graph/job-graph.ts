/**
 * The job graph: stream nodes fused into chains (vertices) that run as one task per
 * parallel instance, connected by edges that cross tasks. It is plain data, so the
 * coordinator can send it to every worker.
 */
import { JobDefinitionError, RestoreError } from '../../core/errors.js';
import { defaultMaxParallelism, validateParallelism } from '../../core/key-groups.js';
import { operatorUid } from './stream-graph.js';
import type { PartitionerKind, StreamGraph, StreamNode } from './stream-graph.js';

/** A chain of stream nodes that runs in one task. */
export interface JobVertex {
  readonly id: number;
  /** Stream node ids, head first. */
  readonly nodeIds: readonly number[];
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly isSource: boolean;
  /** Whether the head node runs on a keyed stream. */
  readonly keyed: boolean;
  readonly inputEdgeIds: readonly number[];
  readonly outputEdgeIds: readonly number[];
}

/** A connection between two vertices. */
export interface JobEdge {
  readonly id: number;
  readonly sourceVertexId: number;
  readonly targetVertexId: number;
  /** The stream node that produces the edge's records (the tail of its chain, or a node inside it). */
  readonly sourceNodeId: number;
  readonly targetNodeId: number;
  readonly partitioner: PartitionerKind;
  /** The side output the edge carries (its tag id); undefined for the main output. */
  readonly outputTag?: string;
}

/** The whole plan. */
export interface JobGraph {
  readonly vertices: readonly JobVertex[];
  readonly edges: readonly JobEdge[];
  /** Stream node id → its display name (uid or name), for messages. */
  readonly nodeNames: readonly string[];
  /** A digest of the graph's shape; workers check that they built the same graph. */
  readonly fingerprint: string;
}

/** Settings that shape the plan. */
export interface PlanOptions {
  /** Overrides the job's default parallelism (`--parallelism`). */
  readonly parallelism?: number;
  /** Overrides the job's maxParallelism (`--max-parallelism`). */
  readonly maxParallelism?: number;
  /**
   * The maxParallelism a checkpoint or savepoint recorded for each operator, by operator
   * uid (`restoredMaxParallelism(metadata)` of the restore point). When neither this
   * options object nor the job sets maxParallelism, a vertex takes the value recorded for
   * the first of its operators (head first) that has one, as Flink does, instead of the
   * default of DESIGN §3. Plain data, as plan options are sent to worker threads.
   */
  readonly restoredMaxParallelism?: Readonly<Record<string, number>>;
}

/** The parallelism every node runs with, after defaults and source limits. */
export function resolveParallelism(graph: StreamGraph, options: PlanOptions): number[] {
  const defaultP = options.parallelism ?? graph.defaultParallelism;
  return graph.nodes.map((node) => {
    const limit = node.source?.maxParallelism;
    // an explicit setParallelism wins; a non-parallel source is capped at its limit
    const p = node.parallelism ?? (limit !== undefined ? Math.min(limit, defaultP) : defaultP);
    if (limit !== undefined && p > limit) {
      throw new JobDefinitionError(`source '${displayName(node)}' supports parallelism ${limit} at most, got ${p}`);
    }
    return p;
  });
}

/** Builds the job graph: resolves parallelism, picks partitioners, and chains forward edges. */
export function buildJobGraph(graph: StreamGraph, options: PlanOptions = {}): JobGraph {
  const nodes = graph.nodes;
  if (nodes.length === 0) throw new JobDefinitionError('the job defines no operators');
  if (!nodes.some((n) => n.kind === 'sink')) {
    throw new JobDefinitionError('the job has no sink: add one with sinkTo(...) so its results go somewhere');
  }
  const parallelism = resolveParallelism(graph, options);
  const maxP = options.maxParallelism ?? graph.maxParallelism;
  // an explicit maxParallelism wins over the one a restored checkpoint recorded
  const inherited = maxP === undefined ? inheritedMaxParallelism(nodes, parallelism, options.restoredMaxParallelism) : new Map<number, number>();
  nodes.forEach((node, i) => {
    const p = parallelism[i]!;
    validateParallelism(p, maxP ?? inherited.get(node.id) ?? defaultMaxParallelism(p), `operator '${displayName(node)}'`);
  });
  if (maxP !== undefined) validateParallelism(1, maxP, 'the job');

  const consumers = new Map<number, { node: StreamNode; edgeIndex: number }[]>();
  for (const node of nodes) {
    node.inputs.forEach((edge, edgeIndex) => {
      if (edge.sourceNodeId >= node.id) throw new JobDefinitionError(`operator '${displayName(node)}' reads from a later operator`);
      const list = consumers.get(edge.sourceNodeId) ?? [];
      list.push({ node, edgeIndex });
      consumers.set(edge.sourceNodeId, list);
    });
  }

  const partitionerOf = (target: StreamNode, edgeIndex: number): PartitionerKind => {
    const edge = target.inputs[edgeIndex]!;
    const same = parallelism[edge.sourceNodeId] === parallelism[target.id];
    if (edge.partitioner === undefined) return same ? 'forward' : 'rebalance';
    if (edge.partitioner === 'forward' && !same) {
      throw new JobDefinitionError(
        `forward edge into '${displayName(target)}' needs equal parallelism on both sides (${parallelism[edge.sourceNodeId]} vs ${parallelism[target.id]})`,
      );
    }
    return edge.partitioner;
  };

  // chain: a node joins its single input's chain when that input has a single consumer
  // and the edge is forward
  const chainOf = new Map<number, number[]>();
  const chains: number[][] = [];
  for (const node of nodes) {
    const input = node.inputs.length === 1 ? node.inputs[0]! : undefined;
    const chainable =
      input !== undefined &&
      node.kind !== 'source' &&
      consumers.get(input.sourceNodeId)?.length === 1 &&
      partitionerOf(node, 0) === 'forward' &&
      input.outputTag === undefined && // side outputs leave through record writers, from a chain's tail
      node.stateKeySelector === undefined;
    if (chainable) {
      const chain = chainOf.get(input.sourceNodeId)!;
      chain.push(node.id);
      chainOf.set(node.id, chain);
    } else {
      const chain = [node.id];
      chains.push(chain);
      chainOf.set(node.id, chain);
    }
  }

  const vertexOfNode = new Map<number, number>();
  chains.forEach((chain, v) => chain.forEach((id) => vertexOfNode.set(id, v)));
  const edges: JobEdge[] = [];
  for (const node of nodes) {
    node.inputs.forEach((edge, edgeIndex) => {
      const sourceVertexId = vertexOfNode.get(edge.sourceNodeId)!;
      const targetVertexId = vertexOfNode.get(node.id)!;
      if (sourceVertexId === targetVertexId) return; // chained
      edges.push({
        id: edges.length,
        sourceVertexId,
        targetVertexId,
        sourceNodeId: edge.sourceNodeId,
        targetNodeId: node.id,
        partitioner: partitionerOf(node, edgeIndex),
        ...(edge.outputTag !== undefined ? { outputTag: edge.outputTag } : {}),
      });
    });
  }

  const vertices: JobVertex[] = chains.map((chain, id) => {
    const head = nodes[chain[0]!]!;
    const p = parallelism[head.id]!;
    const recorded = chain.find((n) => inherited.has(n));
    return {
      id,
      nodeIds: chain,
      name: chain.map((n) => displayName(nodes[n]!)).join(' -> '),
      parallelism: p,
      maxParallelism: maxP ?? (recorded !== undefined ? inherited.get(recorded)! : defaultMaxParallelism(p)),
      isSource: head.kind === 'source',
      keyed: head.stateKeySelector !== undefined,
      inputEdgeIds: edges.filter((e) => e.targetVertexId === id).map((e) => e.id),
      outputEdgeIds: edges.filter((e) => e.sourceVertexId === id).map((e) => e.id),
    };
  });
  const nodeNames = nodes.map(displayName);
  const fingerprint = JSON.stringify([nodes.map((n) => [n.kind, n.name, n.uid, n.inputs.map((e) => [e.sourceNodeId, e.partitioner, e.outputTag ?? null])]), parallelism]);
  return { vertices, edges, nodeNames, fingerprint };
}

/**
 * Node id → the maxParallelism the restored checkpoint recorded for it, for the nodes it
 * has one for.
 * @throws {@link RestoreError} naming the operator when that is below its parallelism
 */
function inheritedMaxParallelism(
  nodes: readonly StreamNode[],
  parallelism: readonly number[],
  recorded: Readonly<Record<string, number>> | undefined,
): Map<number, number> {
  const result = new Map<number, number>();
  if (recorded === undefined) return result;
  for (const node of nodes) {
    const uid = operatorUid(node);
    if (!Object.hasOwn(recorded, uid)) continue;
    const maxP = recorded[uid]!;
    const p = parallelism[node.id]!;
    validateParallelism(1, maxP, `operator '${displayName(node)}' (maxParallelism recorded in the checkpoint)`);
    if (p > maxP) {
      throw new RestoreError(
        `operator '${displayName(node)}': parallelism ${p} exceeds the maxParallelism ${maxP} that the checkpoint recorded for it, which the job inherits because it sets no maxParallelism; run it with parallelism ${maxP} at most (maxParallelism is fixed for the life of keyed state)`,
      );
    }
    result.set(node.id, maxP);
  }
  return result;
}

/** The name used in messages: the uid when set, else the name. */
export function displayName(node: StreamNode): string {
  return node.uid ?? node.name;
}
