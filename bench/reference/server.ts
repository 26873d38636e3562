import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { die, exitWithParent, send } from '../lib/child';

/**
 * The reference: the smallest Nest app on this project's own @nestjs/core and
 * @nestjs/platform-express, one route, no middleware at all (no body parser, no logger).
 */
@Controller()
class OpenController {
  @Get('open')
  open(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [OpenController] })
class ReferenceModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(ReferenceModule, { bodyParser: false, logger: false });
  exitWithParent(() => app.close());
  await app.listen(0, '127.0.0.1');
  await send({ type: 'ready', port: (app.getHttpServer().address() as AddressInfo).port });
}

main().catch(die);
