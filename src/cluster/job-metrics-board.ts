/** Collects the counters of every task of a job, as reported by workers. */
import type { JobGraph } from '../runtime/graph/job-graph.js';
import type { JobProgress, VertexMetrics } from './job-result.js';
import type { TaskMetrics } from './protocol.js';

/** Latest counters per task, summed per vertex on demand. */
export class JobMetricsBoard {
  private readonly latest = new Map<string, TaskMetrics>();

  constructor(private readonly jobGraph: JobGraph) {}

  update(metrics: TaskMetrics): void {
    this.latest.set(`${metrics.vertexId}:${metrics.subtaskIndex}`, metrics);
  }

  vertices(): VertexMetrics[] {
    return this.jobGraph.vertices.map((v) => {
      let recordsIn = 0;
      let recordsOut = 0;
      for (let i = 0; i < v.parallelism; i++) {
        const m = this.latest.get(`${v.id}:${i}`);
        if (m) {
          recordsIn += m.recordsIn;
          recordsOut += m.recordsOut;
        }
      }
      return { name: v.name, parallelism: v.parallelism, isSource: v.isSource, recordsIn, recordsOut };
    });
  }

  /** Records read and written so far in this board's attempt. */
  progress(elapsedMs: number): Pick<JobProgress, 'elapsedMs' | 'sourceRecords' | 'sinkRecords'> {
    const vertices = this.vertices();
    let sourceRecords = 0;
    let sinkRecords = 0;
    this.jobGraph.vertices.forEach((v, i) => {
      if (v.isSource) sourceRecords += vertices[i]!.recordsIn;
      if (v.outputEdgeIds.length === 0) sinkRecords += vertices[i]!.recordsIn;
    });
    return { elapsedMs, sourceRecords, sinkRecords };
  }
}
