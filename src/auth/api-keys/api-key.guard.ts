import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import type { Principal } from '../principal';
import { ApiKeysService } from './api-keys.service';
import { SCOPES_KEY } from './scopes.decorator';

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Admits requests that carry a live API key in `Authorization: Bearer <key>` and holds every scope
 * the route names with `@Scopes(...)`. `request.user` is the key's user, with the key's scopes and
 * no roles (a key acts as its user, at most with its scopes). No I/O while the revocation channel is
 * live: a revoked key, or one of a disabled or deleted user, is refused from memory.
 *
 * Answers 401 `UNAUTHENTICATED` (`WWW-Authenticate: Bearer`) without a key, 401 `INVALID_TOKEN`
 * (`Bearer error="invalid_token"`) for an unknown, revoked or expired key, and 403 `FORBIDDEN`
 * (`Bearer error="insufficient_scope"`, RFC 6750 §3.1) when a scope is missing.
 *
 * @example
 * import { ApiKeyGuard, AuthModule, CurrentUser, Principal, Scopes } from '../auth';
 *
 * @Controller('reports')
 * @UseGuards(ApiKeyGuard)
 * export class ReportsApiController {
 *   @Get()
 *   @Scopes('reports:read')
 *   list(@CurrentUser() caller: Principal) {
 *     return this.reports.forUser(caller.userId);
 *   }
 * }
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers.authorization;
    if (header === undefined) {
      throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required', { 'WWW-Authenticate': 'Bearer' });
    }
    const key = await this.apiKeys.authenticate(BEARER.exec(header)?.[1] ?? '');
    if (key === undefined) {
      throw new DomainException(ErrorCode.INVALID_TOKEN, 'Invalid, expired or revoked API key', {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    const required = this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, [context.getHandler(), context.getClass()]) ?? [];
    const missing = required.filter((scope) => !key.scopes.includes(scope));
    if (missing.length > 0) {
      throw new DomainException(ErrorCode.FORBIDDEN, `This API key lacks the scope ${missing.join(' ')}`, {
        'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${required.join(' ')}"`,
      });
    }
    const principal: Principal = {
      userId: key.userId,
      roles: [],
      authMethod: 'api_key',
      loginId: key.id,
      credential: 'bearer',
      scopes: key.scopes,
    };
    request.user = principal;
    return true;
  }
}
