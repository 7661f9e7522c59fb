/** Totals of a chaos campaign (or a seed-range chunk of one), as text or JSON. */
import { FAULT_KINDS } from './chaos-plan.js';
import type { FaultKind } from './chaos-plan.js';
import type { RunReport } from './chaos-run.js';

/** Adds up run reports. */
export class CampaignSummary {
  private runs = 0;
  private passed = 0;
  private records = 0;
  private lost = 0;
  private duplicated = 0;
  private unexpected = 0;
  private readonly scheduled = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  private readonly fired = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  private readonly failures: { seed: number; problems: readonly string[] }[] = [];
  private readonly pipelines = new Map<string, number>();
  private readonly backends = new Map<string, number>();

  constructor(
    private readonly fromSeed: number,
    private readonly toSeed: number,
    private readonly killSupported: boolean,
  ) {}

  add(report: RunReport): void {
    this.runs++;
    if (report.verdict === 'pass') this.passed++;
    else this.failures.push({ seed: report.seed, problems: report.problems });
    this.records += report.records;
    this.lost += report.lost;
    this.duplicated += report.duplicated;
    this.unexpected += report.unexpected;
    for (const k of FAULT_KINDS) {
      this.scheduled[k] += report.scheduled[k];
      this.fired[k] += report.fired[k];
    }
    const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
    count(this.pipelines, report.plan.shape.pipeline);
    count(this.backends, report.plan.backend);
  }

  failed(): number {
    return this.runs - this.passed;
  }

  /** One line about one run. */
  static line(r: RunReport): string {
    const faults = FAULT_KINDS.filter((k) => r.scheduled[k] > 0 || r.fired[k] > 0)
      .map((k) => `${k} ${r.fired[k]}/${r.scheduled[k]}`)
      .join(', ');
    return (
      `seed ${r.seed}: ${r.verdict.toUpperCase()} ${r.job}; faults fired/scheduled: ${faults || 'none'}; ` +
      `${r.records}/${r.expected} records, ${r.lost} lost, ${r.duplicated} duplicated; ${(r.durationMs / 1000).toFixed(1)} s`
    );
  }

  toJSON() {
    return {
      fromSeed: this.fromSeed,
      toSeed: this.toSeed,
      killSupported: this.killSupported,
      runs: this.runs,
      passed: this.passed,
      failed: this.failed(),
      records: this.records,
      lost: this.lost,
      duplicated: this.duplicated,
      unexpected: this.unexpected,
      faultsScheduled: this.scheduled,
      faultsFired: this.fired,
      pipelines: Object.fromEntries(this.pipelines),
      backends: Object.fromEntries(this.backends),
      failures: this.failures,
    };
  }

  text(): string {
    const j = this.toJSON();
    const kinds = FAULT_KINDS.map((k) => `${k} ${j.faultsFired[k]}/${j.faultsScheduled[k]}`).join(', ');
    const lines = [
      `runs ${j.runs} (seeds ${j.fromSeed}..${j.toSeed}): ${j.passed} passed, ${j.failed} failed`,
      `records ${j.records}: ${j.lost} lost, ${j.duplicated} duplicated, ${j.unexpected} unexpected`,
      `faults fired/scheduled: ${kinds}`,
      `pipelines: ${[...this.pipelines].map(([k, v]) => `${k} ${v}`).join(', ')}; backends: ${[...this.backends].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    ];
    for (const f of this.failures) lines.push(`FAILED seed ${f.seed} (replay: npm run test:chaos -- --runs 1 --seed ${f.seed}): ${f.problems.join(' | ')}`);
    return lines.join('\n');
  }
}
