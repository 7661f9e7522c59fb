import type { RestartStrategy } from './restart-strategy.js';

/** Never restarts: the first failure fails the job (Flink's `NoRestartBackoffTimeStrategy`). */
export class NoRestartStrategy implements RestartStrategy {
  readonly description = 'none (the first failure fails the job)';

  /** Always `undefined`: no restart. */
  onFailure(): number | undefined {
    return undefined;
  }
}
