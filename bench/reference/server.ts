import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { die, exitWithParent, send } from '../lib/child';

/**
 * The reference: the smallest Nest app on this project's own @nestjs/core and
 * @nestjs/platform-express, one route, no middleware at all (no body parser, no logger). With
 * REFERENCE_ROUTES=N, N routes that never match come first, as many as the product server has
 * router layers before the bench's routes: Express tries every layer in turn, so this is what
 * matching costs a route of a service with that many.
 */
@Controller()
class OpenController {
  @Get('open')
  open(): { ok: true } {
    return { ok: true };
  }
}

function unmatchedRoutes(count: number): Type {
  class UnmatchedController {}
  for (let index = 0; index < count; index++) {
    const name = `route${index}`;
    const handler = (): { ok: false } => ({ ok: false });
    Object.defineProperty(UnmatchedController.prototype, name, { value: handler });
    Get(`/unmatched/${index}/:id`)(
      UnmatchedController.prototype,
      name,
      Object.getOwnPropertyDescriptor(UnmatchedController.prototype, name)!,
    );
  }
  Controller()(UnmatchedController);
  return UnmatchedController;
}

const routes = Number(process.env.REFERENCE_ROUTES ?? 0);

@Module({ controllers: [...(routes > 0 ? [unmatchedRoutes(routes)] : []), OpenController] })
class ReferenceModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(ReferenceModule, { bodyParser: false, logger: false });
  exitWithParent(() => app.close());
  await app.listen(0, '127.0.0.1');
  await send({ type: 'ready', port: (app.getHttpServer().address() as AddressInfo).port });
}

main().catch(die);
