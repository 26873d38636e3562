import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { JwtAuthenticator } from './jwt-authenticator';

/**
 * Admits requests that carry a valid, unrevoked access token of this service, in
 * `Authorization: Bearer <token>` or the `access_token` cookie, and sets `request.principal`
 * (read it with `@CurrentUser()`). Unsafe requests authenticated by the cookie must also send
 * `X-CSRF-Token`.
 *
 * Answers 401 `UNAUTHENTICATED` with `WWW-Authenticate: Bearer` when no token was sent, 401
 * `INVALID_TOKEN` with `WWW-Authenticate: Bearer error="invalid_token"` when the token is forged,
 * expired or revoked, and 403 `CSRF_FAILED` when the CSRF check fails.
 *
 * @example
 * import { Controller, Get, Module, UseGuards } from '@nestjs/common';
 * import { AuthModule } from '../auth/auth.module';
 * import { CurrentUser } from '../auth/decorators/current-user.decorator';
 * import { JwtGuard } from '../auth/guards/jwt.guard';
 * import type { Principal } from '../auth/principal';
 *
 * @Controller('orders')
 * @UseGuards(JwtGuard)
 * export class OrdersController {
 *   @Get()
 *   list(@CurrentUser() user: Principal) {
 *     return this.orders.forUser(user.userId);
 *   }
 * }
 *
 * @Module({ imports: [AuthModule], controllers: [OrdersController] })
 * export class OrdersModule {}
 */
@Injectable()
export class JwtGuard implements CanActivate {
  constructor(private readonly authenticator: JwtAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    request.principal = await this.authenticator.authenticate(request);
    return true;
  }
}
