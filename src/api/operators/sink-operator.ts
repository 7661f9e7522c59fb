/** Hands records to a {@link Sink}'s writer. */
import type { OperatorSetup, StreamOperator } from '../../runtime/operators/stream-operator.js';
import type { Sink, SinkWriter } from '../../runtime/sink.js';

export class SinkOperator<T> implements StreamOperator<T, never> {
  private writer!: SinkWriter<T>;
  constructor(private readonly sink: Sink<T>) {}
  private setupInfo!: OperatorSetup<never>;
  setup(setup: OperatorSetup<never>): void {
    this.setupInfo = setup;
  }
  open(): void {
    const { info } = this.setupInfo;
    this.writer = this.sink.createWriter({
      subtaskIndex: info.subtaskIndex,
      parallelism: info.parallelism,
      attemptNumber: info.attemptNumber,
      emitToCoordinator: this.setupInfo.emitToCoordinator,
    });
  }
  processElement(record: T): void {
    this.writer.write(record);
  }
  finish(): void | Promise<void> {
    return this.writer.flush?.(true);
  }
  close(): void | Promise<void> {
    return this.writer?.close?.();
  }
}
