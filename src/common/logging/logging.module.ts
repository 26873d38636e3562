import { DynamicModule, Global, Module } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import { AppConfig } from '../../config/app-config';
import { AppLogger } from './app-logger';
import { loggerOptions } from './logger-options';

/** The app's one pino logger; AppLogger is Nest's view of it. */
export const PINO_LOGGER = Symbol('PINO_LOGGER');

@Global()
@Module({})
export class LoggingModule {
  /** Logs go to stdout unless a destination is given (an embedding app's, or a test's). */
  static forRoot(config: AppConfig, destination?: DestinationStream): DynamicModule {
    const logger = pino(loggerOptions(config), destination ?? pino.destination({ dest: 1, sync: true }));
    return {
      module: LoggingModule,
      providers: [
        { provide: PINO_LOGGER, useValue: logger },
        { provide: AppLogger, useFactory: (pinoLogger: Logger) => new AppLogger(pinoLogger), inject: [PINO_LOGGER] },
      ],
      exports: [PINO_LOGGER, AppLogger],
    };
  }
}
