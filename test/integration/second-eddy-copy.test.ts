/**
 * A job that brings a copy of Eddy of its own (by a path, or a node_modules copy that
 * bypasses the runtime's resolution) still runs correctly, since the engine recognises
 * its objects by brand and not by class, and the run warns, naming both copies.
 * The second copy is a real one: the built package copied to a temporary folder, so
 * every one of its modules (and classes) is a distinct instance.
 */
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as eddy from 'eddy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMergingWindowAssigner } from '../../src/api/windowing/assigners/merging-window-assigner.js';
import { isOutputTag } from '../../src/api/output-tag.js';
import { isEddyError } from '../../src/core/errors.js';
import { EXPECTED_SESSIONS } from '../jobs/session-gap.js';
import { ROOT } from './support.js';

describe('a second copy of Eddy in the job', () => {
  let dir: string;
  let copy: typeof eddy;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eddy-second-copy-'));
    await cp(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(dir, 'package.json'), JSON.stringify({ ...pkg, version: '0.0.0-copy' }));
    // the copy's own dependencies (msgpackr, zod…)
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    copy = (await import(pathToFileURL(join(dir, 'dist', 'index.js')).href)) as typeof eddy;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is a copy whose classes instanceof does not recognise, and whose objects the engine's brands do", () => {
    const assigner = copy.EventTimeSessionWindows.withGap(100);
    expect(assigner instanceof eddy.MergingWindowAssigner).toBe(false);
    expect(isMergingWindowAssigner(assigner)).toBe(true);
    expect(isMergingWindowAssigner(eddy.TumblingEventTimeWindows.of(100))).toBe(false);
    expect(isOutputTag(new copy.OutputTag('late'))).toBe(true);
    expect(isOutputTag({ id: 'late' })).toBe(false);
    expect(isEddyError(new copy.JobDefinitionError('bad job'), 'JobDefinitionError')).toBe(true);
    expect(new eddy.TimeWindow(0, 10).equals(new copy.TimeWindow(0, 10))).toBe(true);
    expect(new eddy.TimeWindow(0, 10).equals(new copy.TimeWindow(0, 11))).toBe(false);
  });

  it("merges the issue's session windows built with the copy's classes, and warns naming both copies", async () => {
    const job = copy.defineJob((env) => {
      env
        .fromCollection([0, 1, 2, 50, 500])
        .assignTimestampsAndWatermarks(copy.WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((t) => t))
        .keyBy(() => 'all')
        .window(copy.EventTimeSessionWindows.withGap(100))
        .sideOutputLateData(new copy.OutputTag<number>('late'))
        .process<string>((_key, ctx, elements, out) => {
          const { start, end } = ctx.window();
          out.collect(`[${start}, ${end}) ${[...elements].length}`);
        })
        .sinkTo(copy.Sinks.collect<string>('sessions'));
    });
    const warnings: string[] = [];
    const result = await eddy.runJob(job, { execution: 'single-thread', parallelism: 2, onWarning: (w) => warnings.push(w) });
    expect(result.output<string>('sessions').sort()).toEqual(EXPECTED_SESSIONS);

    const copies = warnings.filter((w) => /cop(y|ies) of Eddy/.test(w));
    expect(copies).toHaveLength(1);
    expect(copies[0]).toContain(`eddy 0.0.0-copy at ${dir}/`);
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(copies[0]).toContain(`runtime's own (eddy ${version} at ${ROOT})`);
  });
});
