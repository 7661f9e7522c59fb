/**
 * What Ctrl-C (SIGINT) and SIGTERM do to `eddy run`. Canceling a checkpointed job would
 * leave the output its checkpoints committed while the run's progress is lost or deleted,
 * so a rerun would repeat that output. Instead, with checkpointing on, the first signal
 * stops the job with a savepoint (no drain) in the run's checkpoint directory, where
 * `--resume` finds it, and the sinks commit what it covers; a second signal cancels at
 * once and keeps the checkpoints. Without checkpointing the first signal cancels.
 * No signal ends the process without saying what happened.
 */
import type { JobResult } from '../cluster/job-result.js';
import type { JobClient } from '../cluster/run-job.js';

/**
 * Where the stop is: `running` (no signal yet), `stopping` (savepoint requested),
 * `stopped` (savepoint complete), `stop-failed` (savepoint failed: canceled, checkpoints
 * kept), `canceling` (second signal, or a signal without checkpointing).
 */
export type GracefulStopState = 'running' | 'stopping' | 'stopped' | 'stop-failed' | 'canceling';

/** What the stop needs from `eddy run`. */
export interface GracefulStopOptions {
  readonly client: JobClient;
  /** Writes one line to the user (the caller clears the progress line first). */
  readonly say: (line: string) => void;
  /** The command that resumes the job, e.g. `eddy run job.ts --resume --checkpoint-dir /ck`. */
  readonly resumeCommand: string;
  /** Leaves the process at once (a second signal without checkpointing). */
  readonly exit: (code: number) => void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** A failed job is reported once, by `client.result`, which `eddy run` awaits; not again by the cancel that ended it. */
function reportedByResult(): void {}

/** Turns SIGINT and SIGTERM into a graceful stop of one running job while installed. */
export class GracefulStop {
  private current: GracefulStopState = 'running';
  private savepoint: string | undefined;
  private readonly onSignal = (signal: NodeJS.Signals): void => this.signal(signal);

  constructor(private readonly options: GracefulStopOptions) {}

  /** Where the stop is. */
  get state(): GracefulStopState {
    return this.current;
  }

  /** Starts listening for SIGINT and SIGTERM. */
  install(): this {
    for (const s of SIGNALS) process.on(s, this.onSignal);
    return this;
  }

  /** Stops listening. */
  uninstall(): void {
    for (const s of SIGNALS) process.removeListener(s, this.onSignal);
  }

  /**
   * The exit code of a run whose job ended with `result`, after saying how it ended:
   * 0 when it finished or was stopped with a savepoint, 1 when the stop's savepoint
   * failed, 130 when it was canceled.
   */
  exitCode(result: JobResult): number {
    const { client, say } = this.options;
    if (result.status === 'finished') {
      if (this.savepoint !== undefined) say(`eddy: stopped; resume with: ${this.options.resumeCommand}`);
      return 0;
    }
    if (this.current === 'stop-failed') return 1;
    if (this.current === 'canceling' && client.checkpointDirectory !== undefined) say(`eddy: canceled; the latest checkpoint is kept in ${client.checkpointDirectory}`);
    return 130;
  }

  private signal(signal: NodeJS.Signals): void {
    const { client, say } = this.options;
    const key = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    const checkpointing = client.checkpointDirectory !== undefined;
    if (this.current === 'running' && checkpointing) {
      this.current = 'stopping';
      say(`eddy: ${key}: stopping with a savepoint (Ctrl-C again to cancel at once)`);
      client.stopWithSavepoint(client.checkpointDirectory).then(
        (path) => {
          this.savepoint = path;
          if (this.current === 'stopping') this.current = 'stopped';
        },
        (error: unknown) => this.stopFailed(error),
      );
      return;
    }
    if (this.current === 'running') {
      this.current = 'canceling';
      say(`eddy: ${key}: canceling the job (Ctrl-C again to exit at once)`);
      client.cancel().catch(reportedByResult);
      return;
    }
    if (!checkpointing) {
      say(`eddy: ${key} again: exiting at once`);
      this.options.exit(130);
      return;
    }
    if (this.current === 'stopping' || this.current === 'stopped') {
      this.current = 'canceling';
      say(`eddy: ${key} again: canceling at once; the latest checkpoint is kept`);
      client.cancel({ retainCheckpoints: true }).catch(reportedByResult);
    }
  }

  private stopFailed(error: unknown): void {
    if (this.current !== 'stopping') return; // a second signal canceled already
    this.current = 'stop-failed';
    const { client, say } = this.options;
    const reason = error instanceof Error ? error.message : String(error);
    say(`eddy: the stop's savepoint failed (${reason.split('\n')[0]}); canceling the job, keeping its latest checkpoint in ${client.checkpointDirectory}`);
    client.cancel({ retainCheckpoints: true }).catch(reportedByResult);
  }
}
