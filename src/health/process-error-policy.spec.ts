import type { LoggerService } from '@nestjs/common';
import { processErrorHandlers } from './process-error-policy';

function recordingLogger(): LoggerService & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: unknown) => {
    lines.push(String(message));
  };
  return { lines, log: record, error: record, warn: record };
}

function counter(): (() => void) & { calls: number } {
  const count = Object.assign(
    () => {
      count.calls += 1;
    },
    { calls: 0 },
  );
  return count;
}

describe('processErrorHandlers', () => {
  it('keeps serving after a database connection error nobody listened for', () => {
    const logger = recordingLogger();
    const onFatal = counter();
    const terminated = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

    processErrorHandlers(logger, onFatal).onUncaughtException(terminated);

    expect(onFatal.calls).toBe(0);
    expect(logger.lines).toEqual([expect.stringContaining('still serving')]);
  });

  it('shuts down on any other uncaught exception', () => {
    const logger = recordingLogger();
    const onFatal = counter();

    processErrorHandlers(logger, onFatal).onUncaughtException(new TypeError('x is not a function'));

    expect(onFatal.calls).toBe(1);
    expect(logger.lines).toEqual([expect.stringContaining('TypeError: x is not a function')]);
  });

  it('keeps serving after an unhandled rejection', () => {
    const logger = recordingLogger();
    const onFatal = counter();

    processErrorHandlers(logger, onFatal).onUnhandledRejection(new Error('nobody awaited me'));

    expect(onFatal.calls).toBe(0);
    expect(logger.lines).toEqual([expect.stringContaining('nobody awaited me')]);
  });

  it('logs one line without the stack or a password of a connection string', () => {
    const logger = recordingLogger();
    const error = new Error('cannot parse postgres://app:hunter2-secret@db.internal:5432/app\nsecond line');

    processErrorHandlers(logger, counter()).onUnhandledRejection(error);

    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).not.toContain('hunter2-secret');
    expect(logger.lines[0]).toContain('postgres://app:***@db.internal:5432/app');
    expect(logger.lines[0]).not.toContain('\n');
    expect(logger.lines[0]).not.toContain('process-error-policy.spec');
  });
});
