import { describe, expect, it } from 'vitest';
import { createLogger, relayLogLine } from '../../../src/core/logging/logger.js';

function capture(format: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', format, destination: { write: (line) => lines.push(line) } });
  return { logger, lines };
}

describe('the logger', () => {
  it("relays a worker thread's record through the run's logger with its level and fields", () => {
    const worker = capture();
    worker.logger.child({ attempt: 2, slot: 1 }).warn({ err: new Error('rm failed'), task: 'map', subtask: 3 }, 'closing the canceled task failed');
    const main = capture();
    relayLogLine(main.logger.child({ job: 'abc' }), worker.lines[0]!);
    const record = JSON.parse(main.lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 40, job: 'abc', attempt: 2, slot: 1, task: 'map', subtask: 3, msg: 'closing the canceled task failed' });
    expect(record['err']).toMatchObject({ type: 'Error', message: 'rm failed' });
  });

  it('relays at the main logger’s level, and says so when a line is not JSON', () => {
    const main = capture();
    relayLogLine(main.logger, JSON.stringify({ level: 20, msg: 'debug detail' }));
    expect(main.lines).toEqual([]);
    relayLogLine(main.logger, 'not json');
    expect(JSON.parse(main.lines[0]!)).toMatchObject({ level: 40, msg: 'a worker thread sent a log line that is not JSON', line: 'not json' });
  });

  it('writes an error with its chain of causes in one stack, in the pretty format too', () => {
    const { logger, lines } = capture('pretty');
    logger.error({ err: new Error('checkpoint 3 failed', { cause: new Error('ENOSPC') }) }, 'boom');
    const text = lines.join('');
    expect(text).toMatch(/ERROR: boom/);
    expect(text).toContain('Error: checkpoint 3 failed');
    expect(text).toContain('Caused by: Error: ENOSPC');
  });
});
