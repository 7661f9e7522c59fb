/**
 * The plan: which stream nodes chain into one task, which partitioner each edge that
 * crosses tasks gets, and the checks that reject a job before anything runs.
 */
import { describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment } from '../../src/api/environment.js';
import { Sinks } from '../../src/connectors/sinks.js';
import { ConfigError, JobDefinitionError, RestoreError } from '../../src/core/errors.js';
import { defaultMaxParallelism } from '../../src/core/key-groups.js';
import { buildJobGraph } from '../../src/runtime/graph/job-graph.js';
import type { JobGraph, JobVertex, PlanOptions } from '../../src/runtime/graph/job-graph.js';

/** Builds the job graph of what `build` defines. */
function plan(build: (env: StreamExecutionEnvironment) => void, options: PlanOptions = {}): JobGraph {
  const env = new StreamExecutionEnvironment();
  build(env);
  return buildJobGraph(env.toStreamGraph(), options);
}

/** Vertex names, to compare chains at a glance. */
const names = (graph: JobGraph): string[] => graph.vertices.map((v) => v.name);

const vertexNamed = (graph: JobGraph, name: string): JobVertex => {
  const v = graph.vertices.find((x) => x.name === name);
  if (!v) throw new Error(`no vertex '${name}' in ${JSON.stringify(names(graph))}`);
  return v;
};

describe('chaining', () => {
  it('chains source, map, filter and sink connected by forward edges into one task', () => {
    const graph = plan((env) => {
      env.setParallelism(3);
      env
        .fromSequence(1, 10)
        .map((n) => n + 1)
        .filter((n) => n > 2)
        .sinkTo(Sinks.collect('out'));
    });
    expect(names(graph)).toEqual(['Source: Sequence -> Map -> Filter -> Sink: Collect(out)']);
    expect(graph.vertices[0]!.nodeIds).toEqual([0, 1, 2, 3]);
    expect(graph.vertices[0]!.parallelism).toBe(3);
    expect(graph.vertices[0]!.isSource).toBe(true);
    expect(graph.edges).toEqual([]);
  });

  it('breaks the chain at keyBy with a hash edge into a keyed vertex', () => {
    const graph = plan((env) => {
      env.setParallelism(2);
      env
        .fromSequence(1, 10)
        .map((n) => n * 2)
        .keyBy((n) => n % 3)
        .map((n) => n)
        .sinkTo(Sinks.collect('out'));
    });
    expect(names(graph)).toEqual(['Source: Sequence -> Map', 'Map -> Sink: Collect(out)']);
    const [source, keyed] = graph.vertices;
    expect(source!.keyed).toBe(false);
    expect(keyed!.keyed).toBe(true);
    expect(graph.edges).toEqual([
      { id: 0, sourceVertexId: 0, targetVertexId: 1, sourceNodeId: 1, targetNodeId: 2, partitioner: 'hash' },
    ]);
    expect(source!.outputEdgeIds).toEqual([0]);
    expect(keyed!.inputEdgeIds).toEqual([0]);
  });

  it('connects operators of different parallelism with rebalance and does not chain them', () => {
    const graph = plan((env) => {
      env.setParallelism(2);
      env
        .fromSequence(1, 10)
        .map((n) => n)
        .setParallelism(3)
        .sinkTo(Sinks.collect('out'));
    });
    expect(names(graph)).toEqual(['Source: Sequence', 'Map', 'Sink: Collect(out)']);
    expect(graph.vertices.map((v) => v.parallelism)).toEqual([2, 3, 2]);
    expect(graph.edges.map((e) => e.partitioner)).toEqual(['rebalance', 'rebalance']);
  });

  it('keeps an explicit partitioner between operators of equal parallelism and does not chain across it', () => {
    const graph = plan((env) => {
      env.setParallelism(2);
      const s = env.fromSequence(1, 10);
      s.rebalance().map((n) => n).name('after-rebalance').sinkTo(Sinks.collect('a'));
      s.rescale().map((n) => n).name('after-rescale').sinkTo(Sinks.collect('b'));
      s.broadcast().map((n) => n).name('after-broadcast').sinkTo(Sinks.collect('c'));
      s.global().map((n) => n).name('after-global').sinkTo(Sinks.collect('d'));
    });
    expect(graph.edges.map((e) => e.partitioner)).toEqual(['rebalance', 'rescale', 'broadcast', 'global']);
    expect(names(graph)).toEqual([
      'Source: Sequence',
      'after-rebalance -> Sink: Collect(a)',
      'after-rescale -> Sink: Collect(b)',
      'after-broadcast -> Sink: Collect(c)',
      'after-global -> Sink: Collect(d)',
    ]);
  });

  it('chains an explicit forward() edge between equal parallelism like an implicit one', () => {
    const graph = plan((env) => {
      env.fromSequence(1, 10).forward().map((n) => n).sinkTo(Sinks.collect('out'));
    });
    expect(names(graph)).toEqual(['Source: Sequence -> Map -> Sink: Collect(out)']);
  });

  it('does not chain a node with two consumers to either of them', () => {
    const graph = plan((env) => {
      const doubled = env.fromSequence(1, 10).map((n) => n * 2).uid('doubled');
      doubled.filter((n) => n > 4).sinkTo(Sinks.collect('big'));
      doubled.map((n) => -n).sinkTo(Sinks.collect('negated'));
    });
    expect(names(graph)).toEqual(['Source: Sequence -> doubled', 'Filter -> Sink: Collect(big)', 'Map -> Sink: Collect(negated)']);
    expect(graph.edges.map((e) => [e.sourceVertexId, e.targetVertexId, e.partitioner])).toEqual([
      [0, 1, 'forward'],
      [0, 2, 'forward'],
    ]);
    // both edges leave from the tail of the first chain
    expect(graph.edges.every((e) => e.sourceNodeId === 1)).toBe(true);
    expect(graph.vertices[0]!.outputEdgeIds).toEqual([0, 1]);
  });

  it('reads a union of two streams through one edge per input and chains neither input', () => {
    const graph = plan((env) => {
      env.setParallelism(2);
      const a = env.fromSequence(1, 10);
      const b = env.fromSequence(11, 20).map((n) => n).setParallelism(3);
      a.union(b).map((n) => n).uid('merged').sinkTo(Sinks.collect('out'));
    });
    expect(names(graph)).toEqual(['Source: Sequence', 'Source: Sequence', 'Map', 'merged -> Sink: Collect(out)']);
    const merged = vertexNamed(graph, 'merged -> Sink: Collect(out)');
    expect(merged.inputEdgeIds).toHaveLength(2);
    const inputs = merged.inputEdgeIds.map((id) => graph.edges[id]!);
    // same parallelism → forward, different → rebalance
    expect(inputs.map((e) => [e.sourceVertexId, e.partitioner])).toEqual([
      [0, 'forward'],
      [2, 'rebalance'],
    ]);
  });

  it('accepts keyBy() followed directly by sinkTo(), with a hash edge into the sink', () => {
    const graph = plan((env) => {
      env.setParallelism(2);
      env
        .fromSequence(1, 10)
        .keyBy((n) => n % 3)
        .sinkTo(Sinks.collect('out'));
    });
    expect(names(graph)).toEqual(['Source: Sequence', 'Sink: Collect(out)']);
    expect(graph.edges[0]!.partitioner).toBe('hash');
  });

  it('produces the same plan and fingerprint when the same job is built twice', () => {
    const build = (env: StreamExecutionEnvironment) => {
      env.setParallelism(2);
      env
        .fromSequence(1, 10)
        .keyBy((n) => n % 2)
        .reduce((a, b) => a + b)
        .uid('sum')
        .sinkTo(Sinks.collect('out'));
    };
    const a = plan(build);
    const b = plan(build);
    expect(b).toEqual(a);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(a.nodeNames).toEqual(['Source: Sequence', 'sum', 'Sink: Collect(out)']);
  });

  it('gives a different fingerprint when parallelism changes', () => {
    const build = (env: StreamExecutionEnvironment) => {
      env.fromSequence(1, 10).map((n) => n).sinkTo(Sinks.collect('out'));
    };
    expect(plan(build, { parallelism: 2 }).fingerprint).not.toBe(plan(build, { parallelism: 3 }).fingerprint);
  });
});

describe('validation', () => {
  it('rejects a forward edge between unequal parallelism with a JobDefinitionError naming both', () => {
    const attempt = () =>
      plan((env) => {
        env.setParallelism(2);
        env
          .fromSequence(1, 10)
          .forward()
          .map((n) => n)
          .uid('fwd')
          .setParallelism(3)
          .sinkTo(Sinks.collect('out'));
      });
    expect(attempt).toThrow(JobDefinitionError);
    expect(attempt).toThrow(/forward edge into 'fwd'.*\(2 vs 3\)/);
  });

  it('rejects a job without a sink with a JobDefinitionError', () => {
    const attempt = () =>
      plan((env) => {
        env.fromSequence(1, 10).map((n) => n);
      });
    expect(attempt).toThrow(JobDefinitionError);
    expect(attempt).toThrow(/no sink/);
  });

  it('rejects an empty job with a JobDefinitionError', () => {
    expect(() => plan(() => {})).toThrow(JobDefinitionError);
  });

  it('caps fromCollection at parallelism 1 and rebalances into the parallel operators after it', () => {
    const graph = plan((env) => {
      env.setParallelism(4);
      env
        .fromCollection(['a', 'b', 'c'])
        .map((s) => s.toUpperCase())
        .sinkTo(Sinks.collect('out'));
    });
    expect(graph.vertices.map((v) => [v.name, v.parallelism])).toEqual([
      ['Source: Collection', 1],
      ['Map -> Sink: Collect(out)', 4],
    ]);
    expect(graph.edges[0]!.partitioner).toBe('rebalance');
  });

  it('caps fromCollection at 1 also when the parallelism comes from the run options', () => {
    const graph = plan((env) => env.fromCollection([1]).sinkTo(Sinks.collect('out')), { parallelism: 8 });
    expect(graph.vertices.map((v) => v.parallelism)).toEqual([1, 8]);
  });

  it('rejects an explicit parallelism above 1 on fromCollection with a JobDefinitionError', () => {
    const attempt = () =>
      plan((env) => {
        env.fromCollection([1, 2]).setParallelism(2).sinkTo(Sinks.collect('out'));
      });
    expect(attempt).toThrow(JobDefinitionError);
    expect(attempt).toThrow(/supports parallelism 1 at most, got 2/);
  });

  it('rejects a maxParallelism smaller than an operator parallelism with a ConfigError', () => {
    const viaEnv = () =>
      plan((env) => {
        env.setParallelism(8).setMaxParallelism(4);
        env.fromSequence(1, 10).sinkTo(Sinks.collect('out'));
      });
    expect(viaEnv).toThrow(ConfigError);
    expect(viaEnv).toThrow(/parallelism 8 exceeds maxParallelism 4/);

    const viaOperator = () =>
      plan((env) => {
        env.setMaxParallelism(4);
        env.fromSequence(1, 10).map((n) => n).uid('wide').setParallelism(5).sinkTo(Sinks.collect('out'));
      });
    expect(viaOperator).toThrow(ConfigError);
    expect(viaOperator).toThrow(/operator 'wide'/);

    const viaOptions = () => plan((env) => env.fromSequence(1, 10).sinkTo(Sinks.collect('out')), { parallelism: 3, maxParallelism: 2 });
    expect(viaOptions).toThrow(ConfigError);
  });

  it('rejects a parallelism above the largest default maxParallelism with a ConfigError', () => {
    expect(() => plan((env) => env.fromSequence(1, 10).sinkTo(Sinks.collect('out')), { parallelism: 40_000 })).toThrow(ConfigError);
  });

  it('gives each vertex the default maxParallelism of its own parallelism when none is set', () => {
    const graph = plan((env) => {
      env
        .fromSequence(1, 10)
        .map((n) => n)
        .setParallelism(100)
        .map((n) => n)
        .setParallelism(300)
        .sinkTo(Sinks.collect('out'));
    });
    expect(graph.vertices.map((v) => [v.parallelism, v.maxParallelism])).toEqual([
      [1, defaultMaxParallelism(1)],
      [100, defaultMaxParallelism(100)],
      [300, defaultMaxParallelism(300)],
      [1, defaultMaxParallelism(1)],
    ]);
    expect(graph.vertices.map((v) => v.maxParallelism)).toEqual([128, 256, 512, 128]);
  });

  it('gives every vertex the explicit maxParallelism, and the run option overrides the job', () => {
    const build = (env: StreamExecutionEnvironment) => {
      env.setMaxParallelism(64);
      env.fromSequence(1, 10).map((n) => n).setParallelism(5).sinkTo(Sinks.collect('out'));
    };
    expect(plan(build).vertices.map((v) => v.maxParallelism)).toEqual([64, 64, 64]);
    expect(plan(build, { maxParallelism: 16 }).vertices.map((v) => v.maxParallelism)).toEqual([16, 16, 16]);
  });
});

describe('maxParallelism inherited from a restored checkpoint', () => {
  /** Source 'numbers' → map 'double' (chained) → keyBy → 'sum' → sink, at parallelism 2. */
  const build = (env: StreamExecutionEnvironment) => {
    env.setParallelism(2);
    env
      .fromSequence(1, 10)
      .uid('numbers')
      .map((n) => n * 2)
      .uid('double')
      .keyBy((n) => n % 3)
      .reduce((a, b) => a + b)
      .uid('sum')
      .sinkTo(Sinks.collect('out'));
  };
  const maxParallelisms = (graph: JobGraph) => graph.vertices.map((v) => [v.name, v.maxParallelism]);

  it('gives each vertex the maxParallelism its operators recorded when the job sets none, and the default to new operators', () => {
    const graph = plan(build, { restoredMaxParallelism: { numbers: 16, double: 16, sum: 512 } });
    expect(maxParallelisms(graph)).toEqual([
      ['numbers -> double', 16],
      ['sum -> Sink: Collect(out)', 512],
    ]);
    expect(maxParallelisms(plan(build, { restoredMaxParallelism: { sum: 4 } }))).toEqual([
      ['numbers -> double', defaultMaxParallelism(2)],
      ['sum -> Sink: Collect(out)', 4],
    ]);
  });

  it('takes the value of the first operator of a chain, head first, that the checkpoint recorded', () => {
    expect(maxParallelisms(plan(build, { restoredMaxParallelism: { double: 32, numbers: 8 } }))[0]).toEqual(['numbers -> double', 8]);
    expect(maxParallelisms(plan(build, { restoredMaxParallelism: { double: 32 } }))[0]).toEqual(['numbers -> double', 32]);
  });

  it('matches operators without a uid by their derived uid, and ignores names that are not own entries', () => {
    const graph = plan(
      (env) => {
        env.fromSequence(1, 10).map((n) => n).sinkTo(Sinks.collect('out'));
      },
      { restoredMaxParallelism: { 'auto-0': 8 } },
    );
    expect(graph.vertices.map((v) => v.maxParallelism)).toEqual([8]);
    const prototypeNames = plan(
      (env) => {
        env.fromSequence(1, 10).uid('constructor').sinkTo(Sinks.collect('out'));
      },
      { restoredMaxParallelism: {} },
    );
    expect(prototypeNames.vertices.map((v) => v.maxParallelism)).toEqual([defaultMaxParallelism(1)]);
  });

  it('lets an explicit maxParallelism win, from the run options or from the job', () => {
    const restoredMaxParallelism = { numbers: 16, double: 16, sum: 512 };
    expect(plan(build, { maxParallelism: 64, restoredMaxParallelism }).vertices.map((v) => v.maxParallelism)).toEqual([64, 64]);
    const fromJob = plan((env) => {
      build(env);
      env.setMaxParallelism(32);
    }, { restoredMaxParallelism });
    expect(fromJob.vertices.map((v) => v.maxParallelism)).toEqual([32, 32]);
  });

  it('rejects a parallelism above the inherited maxParallelism with a RestoreError naming the operator', () => {
    const attempt = () => plan(build, { parallelism: 8, restoredMaxParallelism: { numbers: 128, sum: 4 } });
    expect(attempt).toThrow(RestoreError);
    expect(attempt).toThrow(/operator 'sum': parallelism 8 exceeds the maxParallelism 4 that the checkpoint recorded for it/);
    // the same parallelism is fine with an explicit maxParallelism (checkCompatible then judges the restore)
    expect(() => plan(build, { parallelism: 8, maxParallelism: 16, restoredMaxParallelism: { sum: 4 } })).not.toThrow();
  });

  it('survives structured cloning, as plan options are sent to worker threads', () => {
    const options = { parallelism: 3, restoredMaxParallelism: { numbers: 16, sum: 64 } };
    expect(plan(build, structuredClone(options))).toEqual(plan(build, options));
  });
});
