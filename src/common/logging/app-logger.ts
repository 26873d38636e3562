import type { LogLevel } from '@nestjs/common';
import type { Logger } from 'pino';
import { NestLogger } from './nest-logger';

const PINO_LEVEL = { verbose: 'trace', debug: 'debug', log: 'info', warn: 'warn', error: 'error', fatal: 'fatal' } as const;

/**
 * Nest's logger over the app's pino logger (`app.useLogger`). On `error(message, stack, context)`
 * the string before the context is the stack. Errors name their request id in the message where
 * one exists, so no per-request child logger is needed.
 */
export class AppLogger extends NestLogger {
  constructor(private readonly pino: Logger) {
    super();
  }

  protected write(nestLevel: LogLevel, message: unknown, rest: readonly unknown[]): void {
    const level = PINO_LEVEL[nestLevel];
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest passes (message, context) or (message, stack, context): the context is the last string.
    const strings = rest.filter((value): value is string => typeof value === 'string');
    const context = strings[strings.length - 1];
    const stack = level === 'error' && strings.length > 1 ? strings[0] : undefined;
    if (message instanceof Error) {
      this.pino[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ context, ...message });
    } else {
      this.pino[level]({ context, stack }, String(message));
    }
  }
}
