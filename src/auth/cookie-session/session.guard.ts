import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { CookieSessionService } from './cookie-session.service';

/**
 * Admits requests with a live cookie session (`sid`) of an enabled user; 401 otherwise.
 * POST, PUT, PATCH and DELETE must also send the session's CSRF token in `X-CSRF-Token`
 * (from the login response or `GET /auth/session/csrf`), else 403 and the handler never runs.
 * The caller is then `request.user`, read with `@CurrentUser()`.
 *
 * @example
 * import { AuthModule, CurrentUser, Principal, SessionGuard } from '../auth';
 *
 * @Controller('invoices')
 * @UseGuards(SessionGuard)
 * export class InvoicesController {
 *   @Post()
 *   create(@CurrentUser() user: Principal, @Body() body: CreateInvoiceDto) { ... }
 * }
 *
 * @Module({ imports: [AuthModule], controllers: [InvoicesController] })
 * export class InvoicesModule {}
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly sessions: CookieSessionService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    request.user = this.sessions.principalOf(request);
    return true;
  }
}
