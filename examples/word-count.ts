/**
 * Word count: splits lines into words, keys by word, and keeps each word's count in a
 * ReducingState, emitting the running count after every occurrence. The last count per
 * word is its total.
 *
 *   eddy run examples/word-count.ts --parallelism 2
 *   eddy run examples/word-count.ts --set input=README.md --set output=out/word-count
 *   eddy run examples/word-count.ts --set sink=collect   (results in JobResult.output('word-count'))
 */
import { defineJob, KeyedProcessFunction, ReducingStateDescriptor, Sources } from 'eddy';
import type { Collector, KeyedContext, ReducingState, RuntimeContext } from 'eddy';
import { exampleOutput } from './lib/example-output.js';

export type WordCount = { word: string; count: number };

/** The built-in input when no `input` file is given: these lines, REPEAT times over. */
export const SAMPLE = [
  'the quick brown fox jumps over the lazy dog',
  'the dog barks and the fox runs',
  'a stream of words is a stream of records',
];
export const REPEAT = 1000;

class CountWords extends KeyedProcessFunction<string, string, WordCount> {
  private count!: ReducingState<number>;

  override open(ctx: RuntimeContext): void {
    this.count = ctx.getReducingState(new ReducingStateDescriptor<number>('count', (a, b) => a + b));
  }

  processElement(word: string, ctx: KeyedContext<string>, out: Collector<WordCount>): void {
    this.count.add(1);
    out.collect({ word: ctx.getCurrentKey(), count: this.count.get()! });
  }
}

export default defineJob((env) => {
  const input = env.getParameter('input');
  const lines = input ? env.fromSource(Sources.textFile(input), 'lines') : env.fromCollection(repeat(SAMPLE, REPEAT));
  lines
    .flatMap((line: string) => line.toLowerCase().split(/[^a-z0-9']+/).filter((w) => w.length > 0))
    .name('tokenize')
    .keyBy((word) => word)
    .process(new CountWords())
    .uid('count-words')
    .sinkTo(exampleOutput(env, 'word-count'))
    .name('word-counts');
});

function repeat<T>(items: T[], times: number): T[] {
  return Array.from({ length: times }, () => items).flat();
}
