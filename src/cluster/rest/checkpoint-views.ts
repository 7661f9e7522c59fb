/** Turns {@link CheckpointStats} into the JSON of the checkpoints routes. */
import type { CheckpointCounts, CheckpointStats, CheckpointStatus } from '../../checkpoint/checkpoint-stats.js';
import type {
  CheckpointDetailsResponse,
  CheckpointInfo,
  CheckpointingStatisticsResponse,
  RestCheckpointStatus,
} from './rest-messages.js';

const STATUS: Record<CheckpointStatus, RestCheckpointStatus> = {
  pending: 'IN_PROGRESS',
  completed: 'COMPLETED',
  aborted: 'FAILED',
};

/** One checkpoint or savepoint. */
export function checkpointInfo(stats: CheckpointStats): CheckpointInfo {
  const savepoint = stats.kind === 'savepoint';
  return {
    id: stats.checkpointId,
    kind: stats.kind,
    status: STATUS[stats.status],
    is_savepoint: savepoint,
    checkpoint_type: savepoint ? 'SAVEPOINT' : 'CHECKPOINT',
    is_final: stats.isFinal,
    trigger_timestamp: stats.triggerTimestamp,
    end_to_end_duration: ms(stats.durationMs),
    state_size: stats.fullStateBytes ?? stats.stateBytes,
    checkpointed_size: stats.stateBytes,
    persisted_data: stats.persistedInFlightBytes,
    num_acknowledged_subtasks: stats.tasks.length,
    external_path: stats.status === 'completed' ? (stats.directory ?? null) : null,
    ...(stats.status === 'aborted' ? { failure_message: stats.failureReason ?? 'unknown' } : {}),
  };
}

/** `GET /jobs/:id/checkpoints`, from the history (oldest first, as the job keeps it). */
export function checkpointingStatistics(
  counts: CheckpointCounts,
  history: readonly CheckpointStats[],
): CheckpointingStatisticsResponse {
  const newestFirst = [...history].reverse();
  const latest = (test: (s: CheckpointStats) => boolean) => {
    const found = newestFirst.find(test);
    return found ? checkpointInfo(found) : null;
  };
  const pending = history.filter((s) => s.status === 'pending').length;
  return {
    counts: {
      total: counts.triggered,
      in_progress: Math.max(pending, counts.triggered - counts.completed - counts.aborted),
      completed: counts.completed,
      failed: counts.aborted,
    },
    latest: {
      completed: latest((s) => s.status === 'completed'),
      savepoint: latest((s) => s.status === 'completed' && s.kind === 'savepoint'),
      failed: latest((s) => s.status === 'aborted'),
    },
    history: newestFirst.map(checkpointInfo),
  };
}

/** `GET /jobs/:id/checkpoints/details/:checkpointId`: one checkpoint with its subtasks' parts. */
export function checkpointDetails(stats: CheckpointStats): CheckpointDetailsResponse {
  return {
    ...checkpointInfo(stats),
    tasks: stats.tasks.map((t) => ({
      vertex_id: t.vertexId,
      index: t.subtaskIndex,
      state_size: t.fullStateBytes ?? t.stateBytes,
      checkpointed_size: t.stateBytes,
      checkpoint: { sync: ms(t.syncMs), async: ms(t.asyncMs) },
      alignment: { duration: ms(t.alignmentMs) },
    })),
  };
}

/** Milliseconds to the microsecond: task timings are measured with `performance.now()`. */
function ms(value: number): number {
  return Math.round(value * 1000) / 1000;
}
