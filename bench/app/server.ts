import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { loadConfig } from '../../src/config/load-config';
import { startDatabase } from '../../src/database/database-runtime';
import { die, exitWithParent, send } from '../lib/child';
import { BenchModule } from './bench.module';

/**
 * The product server as src/main.ts starts it (the production build in dist/, configured only by
 * the environment, the same configureApp pipeline), plus the bench's product module. Started by
 * bench/run.ts with NODE_ENV=production and PORT=0; it reports its port over IPC.
 */
async function main(): Promise<void> {
  const database = await startDatabase(loadConfig());
  const { config } = database;

  @Module({ imports: [AppModule.forRoot(config), BenchModule] })
  class BenchServerModule {}

  const app = await NestFactory.create<NestExpressApplication>(BenchServerModule, { bodyParser: false, bufferLogs: true });
  configureApp(app, config);
  exitWithParent(async () => {
    await app.close();
    await database.stop();
  });
  await app.listen(config.port, config.host);
  await send({ type: 'ready', port: (app.getHttpServer().address() as AddressInfo).port, routesBefore: routesBeforeBench(app) });
}

/** The routes Express tries, in turn, before those of the bench module: the service's own. */
function routesBeforeBench(app: NestExpressApplication): number {
  const router = (app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string } }> } }).router;
  const first = router.stack.findIndex((layer) => layer.route?.path.startsWith('/bench/') === true);
  return router.stack.slice(0, first < 0 ? undefined : first).filter((layer) => layer.route !== undefined).length;
}

main().catch(die);
