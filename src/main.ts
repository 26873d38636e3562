import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigValidationError } from './config/config-validation.error';
import { loadConfig } from './config/load-config';
import { startDatabase } from './database/database-runtime';

async function bootstrap(): Promise<void> {
  const database = await startDatabase(loadConfig());
  const { config } = database;
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
  }).catch(async (error: unknown) => {
    await database.stop();
    throw error;
  });
  configureApp(app, config);

  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());

  await app.listen(config.port, config.host);
  process.stdout.write(`Listening on http://${config.host}:${config.port}\n`);
}

bootstrap().catch((error: unknown) => {
  const message = error instanceof ConfigValidationError ? error.message : `Start-up failed: ${describe(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
