/** A sink that only counts, so benchmarks measure the engine rather than I/O. */
import type { Sink, SinkWriter } from 'eddy';

export class CountingSink<T> implements Sink<T> {
  readonly name = 'Count';
  createWriter(): SinkWriter<T> {
    let n = 0;
    return {
      write() {
        n++;
      },
      close() {
        (globalThis as { __eddyBenchCount?: number }).__eddyBenchCount = n;
      },
    };
  }
}
