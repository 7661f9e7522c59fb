/**
 * The start-up warning about stateful operators without a uid (DESIGN §6): it names
 * sources, keyed operators, checkpointed functions and two-phase-commit sinks that have
 * no uid, leaves out stateless ones and those with a uid, and only appears when state
 * can outlive the run (checkpointing, a savepoint directory, or a restore).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyedProcessFunction, ListStateDescriptor, RichMapFunction, Sinks, defineJob, runJob } from '../../src/index.js';
import type { CheckpointedFunction, Collector, FunctionInitializationContext, KeyedContext, RunOptions } from '../../src/index.js';

class Tally extends KeyedProcessFunction<string, number, number> {
  processElement(n: number, _ctx: KeyedContext<string>, out: Collector<number>): void {
    out.collect(n);
  }
}

class Remembering extends RichMapFunction<number, number> implements CheckpointedFunction {
  initializeState(ctx: FunctionInitializationContext): void {
    ctx.getOperatorStateStore().getListState(new ListStateDescriptor<number>('seen'));
  }
  snapshotState(): void {}
  map(n: number): number {
    return n;
  }
}

const job = (withUids: boolean) =>
  defineJob((env) => {
    const source = env.fromSequence(1, 10);
    if (withUids) source.uid('numbers');
    const stateless = source.map((n) => n + 1).name('plus-one');
    const remembering = stateless.map(new Remembering()).name('remembering');
    if (withUids) remembering.uid('remembering');
    const tallied = remembering.keyBy((n) => `k${n % 3}`).process(new Tally()).name('tally');
    if (withUids) tallied.uid('tally');
    const sink = tallied.sinkTo(Sinks.collect<number>('out'));
    if (withUids) sink.uid('sink');
  });

async function warningsOf(withUids: boolean, options: RunOptions): Promise<string[]> {
  const warnings: string[] = [];
  await runJob(job(withUids), { execution: 'single-thread', onWarning: (m) => warnings.push(m), ...options });
  return warnings.filter((w) => w.includes('without a uid'));
}


const CHECKPOINTS = join(tmpdir(), 'eddy-uid-warning-checkpoints');
afterAll(() => rm(CHECKPOINTS, { recursive: true, force: true }));

describe('the warning about stateful operators without a uid', () => {
  it('names every stateful operator without a uid and no stateless one, when checkpointing is on', async () => {
    const [warning, ...more] = await warningsOf(false, { checkpoint: { interval: 1000, directory: CHECKPOINTS } });
    expect(more).toEqual([]);
    expect(warning).toMatch(/'Source: sequence' \(stored as 'auto-0'\)/i);
    expect(warning).toContain("'remembering'");
    expect(warning).toContain("'tally'");
    expect(warning).toContain("'Sink: Collect(out)' (stored as 'auto-4')");
    expect(warning).not.toContain('plus-one');
    expect(warning).toContain(".uid('...')");
  });

  it('is silent when every stateful operator has a uid', async () => {
    expect(await warningsOf(true, { checkpoint: { interval: 1000, directory: CHECKPOINTS } })).toEqual([]);
  });

  it('is silent when no state can outlive the run, and speaks when a savepoint directory is set', async () => {
    expect(await warningsOf(false, {})).toEqual([]);
    expect(await warningsOf(false, { savepointDirectory: join(tmpdir(), 'eddy-uid-warning-savepoints') })).toHaveLength(1);
  });
});
