import type { LoggerService } from '@nestjs/common';
import { isDatabaseUnavailable } from '../common/errors/database-errors';
import { describeError } from './describe-error';

export interface ProcessErrorHandlers {
  onUnhandledRejection(reason: unknown): void;
  onUncaughtException(error: unknown): void;
}

/**
 * The last resort, for errors no code caught. A promise rejection nobody awaited, and a lost
 * database connection (an `error` event of a pg client without a listener), leave the process
 * sound: they are logged and the service keeps serving, and recovers once the database is back.
 * Any other uncaught exception leaves it in an unknown state: it is logged and `onFatal` shuts the
 * process down gracefully (exit code 1), for the supervisor to restart it. Only the error's name,
 * code and message are logged, with passwords in URLs masked.
 */
export function processErrorHandlers(logger: LoggerService, onFatal: () => void): ProcessErrorHandlers {
  return {
    onUnhandledRejection: (reason) => {
      logger.error(`Unhandled promise rejection, still serving: ${describeError(reason)}`);
    },
    onUncaughtException: (error) => {
      if (isDatabaseUnavailable(error)) {
        logger.error(`Database connection lost outside any request, still serving: ${describeError(error)}`);
        return;
      }
      logger.error(`Uncaught exception, shutting down: ${describeError(error)}`);
      onFatal();
    },
  };
}

export function installProcessErrorPolicy(logger: LoggerService, onFatal: () => void): void {
  const handlers = processErrorHandlers(logger, onFatal);
  process.on('unhandledRejection', handlers.onUnhandledRejection);
  process.on('uncaughtException', handlers.onUncaughtException);
}
