import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { SessionAuthenticator } from './session-authenticator';

/**
 * Admits requests with a live cookie session (`sid`) of an enabled user; 401 otherwise.
 * POST, PUT, PATCH and DELETE must also send the session's CSRF token in `X-CSRF-Token`
 * (from the login response or `GET /auth/session/csrf`), else 403 and the handler never runs.
 * The caller is then available through `@CurrentUser()`.
 *
 * @example
 * @Module({ imports: [AuthModule], controllers: [InvoicesController] })
 * export class InvoicesModule {}
 *
 * @Controller('invoices')
 * @UseGuards(SessionGuard)
 * export class InvoicesController {
 *   @Post()
 *   create(@CurrentUser() user: Principal, @Body() body: CreateInvoiceDto) { ... }
 * }
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly sessions: SessionAuthenticator) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    request.principal = this.sessions.authenticate(request);
    return true;
  }
}
