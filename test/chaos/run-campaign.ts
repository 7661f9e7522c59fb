/**
 * The chaos campaign's command line (docs/RELIABILITY.md):
 *
 *   npm run test:chaos -- --runs N --seed S          runs seeds S..S+N-1
 *   npm run test:chaos -- --from-seed A --to-seed B  runs seeds A..B (a chunk of a campaign)
 *   options: --json (one JSON object per run, then the summary), --deadline-ms <ms> (60000)
 *
 * Each run's job and faults come from its seed alone (test/chaos/chaos-plan.ts), so
 * `--runs 1 --seed S` replays run S. Exits 1 when any run failed.
 */
import { parseArgs } from 'node:util';
import { planRun } from './chaos-plan.js';
import { cliHasResume, executeRun } from './chaos-run.js';
import { CampaignSummary } from './campaign-summary.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    seed: { type: 'string' },
    'from-seed': { type: 'string' },
    'to-seed': { type: 'string' },
    json: { type: 'boolean', default: false },
    'deadline-ms': { type: 'string', default: '60000' },
  },
  strict: true,
});

function integer(name: string, text: string | undefined, fallback?: number): number {
  if (text === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`test:chaos: --${name} is missing`);
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`test:chaos: --${name} must be a whole number >= 0, got '${text}'`);
  return n;
}

function seedRange(): [number, number] {
  if (values['from-seed'] !== undefined || values['to-seed'] !== undefined) {
    if (values.runs !== undefined || values.seed !== undefined) throw new Error('test:chaos: give --runs/--seed or --from-seed/--to-seed, not both');
    const from = integer('from-seed', values['from-seed']);
    const to = integer('to-seed', values['to-seed']);
    if (to < from) throw new Error(`test:chaos: --to-seed ${to} is below --from-seed ${from}`);
    return [from, to];
  }
  const seed = integer('seed', values.seed, 1);
  const runs = integer('runs', values.runs, 10);
  return [seed, seed + runs - 1];
}

const [from, to] = seedRange();
const deadlineMs = integer('deadline-ms', values['deadline-ms']);
const killSupported = cliHasResume();
const summary = new CampaignSummary(from, to, killSupported);
if (!values.json) {
  console.log(`chaos campaign: seeds ${from}..${to}, deadline ${deadlineMs} ms per run, kill -9 + --resume ${killSupported ? 'on' : 'off (eddy run has no --resume)'}`);
}
for (let seed = from; seed <= to; seed++) {
  const report = await executeRun(planRun(seed, { killSupported }), { deadlineMs });
  summary.add(report);
  if (values.json) {
    const { plan, ...rest } = report;
    console.log(JSON.stringify({ ...rest, plan }));
  } else {
    console.log(CampaignSummary.line(report));
    for (const problem of report.problems) console.log(`    ${problem}`);
    // a failed run shows what failed each attempt and why checkpoints were aborted
    if (report.verdict === 'fail') {
      for (const failure of report.failures) console.log(`    failure: ${failure}`);
      for (const reason of report.aborted) console.log(`    aborted: ${reason}`);
    }
  }
}
if (values.json) console.log(JSON.stringify({ summary: summary.toJSON() }));
else console.log(summary.text());
process.exitCode = summary.failed() > 0 ? 1 : 0;
