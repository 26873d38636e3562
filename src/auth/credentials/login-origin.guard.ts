import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { AppConfig } from '../../config/app-config';
import { LOGIN_SETS_COOKIE_KEY, LoginSetsCookiePredicate } from './login-sets-cookie.decorator';

/**
 * Login CSRF (API.md): a page on another site must not log its visitor into the attacker's account.
 * A login that would set a cookie is 403 when its `Origin` is not in CORS_ORIGINS, or, without an
 * `Origin`, when it says `Sec-Fetch-Site: cross-site`. A listed `Origin` passes whatever
 * `Sec-Fetch-Site` says (a front end on another site, listed on purpose); a request with neither
 * header (not a browser) passes. A login that sets no cookie (`@LoginSetsCookie`) is never refused:
 * it gives its caller tokens and the browser nothing.
 */
@Injectable()
export class LoginOriginGuard implements CanActivate {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.allowedOrigins = new Set(config.corsOrigins);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const setsCookie = this.reflector.getAllAndOverride<LoginSetsCookiePredicate | undefined>(LOGIN_SETS_COOKIE_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (setsCookie !== undefined && !setsCookie(bodyOf(request))) return true;
    this.assertAllowedOrigin(request);
    return true;
  }

  /** The login-CSRF check by itself, for a step that sets the login's cookie later (POST /auth/mfa/verify). */
  assertAllowedOrigin(request: Request): void {
    if (!this.fromAllowedOrigin(request)) throw new DomainException(ErrorCode.FORBIDDEN, 'Cross-site login refused');
  }

  private fromAllowedOrigin(request: Request): boolean {
    const origin = request.headers.origin;
    if (origin !== undefined) return this.allowedOrigins.has(origin);
    return request.headers['sec-fetch-site'] !== 'cross-site';
  }
}

/** Guards run before the pipe: the body is whatever the JSON parser made of it. */
function bodyOf(request: Request): Readonly<Record<string, unknown>> {
  const body: unknown = request.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}
