import type { LoggerService, LogLevel } from '@nestjs/common';

/** Nest's LoggerService: each of its methods hands its level, message and the rest to `write`. */
export abstract class NestLogger implements LoggerService {
  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  protected abstract write(level: LogLevel, message: unknown, rest: readonly unknown[]): void;
}
