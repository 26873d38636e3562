import type { LogLevel } from '@nestjs/common';
import { NestLogger } from '../common/logging/nest-logger';
import { redactUrlPasswords } from './describe-error';

const PINO_LEVELS: Record<LogLevel, number> = { verbose: 10, debug: 20, log: 30, warn: 40, error: 50, fatal: 60 };
const THRESHOLD: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/**
 * Nest's logger until the app's pino logger takes over (`configureApp`): one JSON line per message
 * on stdout, in pino's shape, without stacks, so that a failed start leaves stderr to the one line
 * main.ts writes.
 */
export class BootLogger extends NestLogger {
  private readonly threshold: number;

  constructor(level: string) {
    super();
    this.threshold = THRESHOLD[level] ?? THRESHOLD.info;
  }

  protected write(level: LogLevel, message: unknown, rest: readonly unknown[]): void {
    if (PINO_LEVELS[level] < this.threshold) return;
    // Nest passes (message, context) or (message, stack, context): the context is the last string.
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? rest[rest.length - 1] : undefined;
    const text = message instanceof Error ? `${message.name}: ${message.message}` : String(message);
    const line = { level: PINO_LEVELS[level], time: Date.now(), pid: process.pid, context, msg: redactUrlPasswords(text) };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}
