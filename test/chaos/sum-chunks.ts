/**
 * Adds up chunks of a chaos campaign: reads the run lines of `npm run test:chaos -- --json`
 * outputs (one JSON object per run; summary lines are skipped, so a chunk stopped midway
 * counts the runs it finished) and prints the totals, as text or, with --json, as JSON.
 *
 *   npx tsx test/chaos/sum-chunks.ts [--json] chunk-1.jsonl chunk-2.jsonl ...
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CampaignSummary } from './campaign-summary.js';
import type { RunReport } from './chaos-run.js';

const { values, positionals } = parseArgs({ options: { json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
if (positionals.length === 0) throw new Error('sum-chunks: name at least one --json output of npm run test:chaos');

const reports: RunReport[] = [];
for (const file of positionals) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{"seed"')) continue;
    reports.push(JSON.parse(line) as RunReport);
  }
}
reports.sort((a, b) => a.seed - b.seed);
const seeds = new Set(reports.map((r) => r.seed));
if (seeds.size !== reports.length) throw new Error('sum-chunks: a seed appears in more than one chunk; each run counts once');
const kill = reports.some((r) => r.plan.mode === 'cli');
const summary = new CampaignSummary(reports[0]?.seed ?? 0, reports.at(-1)?.seed ?? 0, kill);
for (const r of reports) summary.add(r);
// seeds need not be contiguous across chunks: say which ranges were run
const ranges: string[] = [];
for (const r of reports) {
  const last = ranges.at(-1);
  const [from, to] = last?.split('..').map(Number) ?? [];
  if (last !== undefined && to === r.seed - 1) ranges[ranges.length - 1] = `${from}..${r.seed}`;
  else ranges.push(`${r.seed}..${r.seed}`);
}
if (values.json) console.log(JSON.stringify({ seedRanges: ranges, summary: summary.toJSON() }));
else console.log(`seed ranges: ${ranges.join(', ')}\n${summary.text()}`);
