/**
 * The case of issue 11: five elements at 0, 1, 2, 50 and 500 ms in event-time session
 * windows with a gap of 100 ms make two sessions, [0, 150) with four elements and
 * [500, 600) with one. A job that loaded a second copy of Eddy once got five.
 * Output `sessions` (or stdout with `--set sink=print`): `[start, end) n`.
 */
import { defineJob, EventTimeSessionWindows, Sinks, WatermarkStrategy } from 'eddy';

export const EXPECTED_SESSIONS = ['[0, 150) 4', '[500, 600) 1'];

export default defineJob((env) => {
  const sessions = env
    .fromCollection([0, 1, 2, 50, 500])
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((t) => t))
    .keyBy(() => 'all')
    .window(EventTimeSessionWindows.withGap(100))
    .process<string>((_key, ctx, elements, out) => {
      const { start, end } = ctx.window();
      out.collect(`[${start}, ${end}) ${[...elements].length}`);
    });
  sessions.sinkTo(env.getParameter('sink', 'collect') === 'print' ? Sinks.print<string>() : Sinks.collect<string>('sessions'));
});
