import 'reflect-metadata';
import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { AppConfig } from './config/app-config';
import { ConfigValidationError } from './config/config-validation.error';
import { loadConfig } from './config/load-config';
import { startDatabase } from './database/database-runtime';
import { BootLogger } from './health/boot-logger';
import { describeError } from './health/describe-error';
import { GracefulShutdown } from './health/graceful-shutdown';
import { installProcessErrorPolicy } from './health/process-error-policy';
import { ShutdownState } from './health/shutdown-state';

/** Starts step by step; a signal that arrives meanwhile stops it after the current step. */
async function bootstrap(loaded: AppConfig, shutdown: GracefulShutdown): Promise<void> {
  const database = await startDatabase(loaded);
  shutdown.add('the embedded PostgreSQL', () => database.stop());
  if (shutdown.isRequested) return;

  const { config } = database;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  shutdown.add('the app', () => app.close());
  configureApp(app, config);
  if (shutdown.isRequested) return;

  await app.listen(config.port, config.host);
  const server = app.getHttpServer() as Server;
  shutdown.serve(server, app.get(ShutdownState));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  process.stdout.write(`Listening on http://${config.host}:${port}\n`);
}

/** A failed start is one line on stderr, never a stack. */
function fail(error: unknown): never {
  const message =
    error instanceof ConfigValidationError
      ? `Invalid configuration: ${error.problems.join('; ')}`
      : `Start-up failed: ${describeError(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function main(): void {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    fail(error);
  }
  Logger.overrideLogger(new BootLogger(config.logLevel));
  const shutdown = new GracefulShutdown(config.shutdownTimeoutSeconds * 1000, new Logger('Shutdown'));
  shutdown.handleSignals();
  installProcessErrorPolicy(new Logger('Process'), () => shutdown.request('fatal error', 1));

  bootstrap(config, shutdown).then(
    () => {
      if (shutdown.isRequested) void shutdown.run();
    },
    async (error: unknown) => {
      await shutdown.cleanUp();
      fail(error);
    },
  );
}

main();
