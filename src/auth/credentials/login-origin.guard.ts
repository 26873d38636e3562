import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { AppConfig } from '../../config/app-config';

/**
 * Login CSRF: a browser on another site must not log its victim into the attacker's account.
 * `Sec-Fetch-Site: cross-site`, or an `Origin` that is neither in CORS_ORIGINS nor APP_URL's, is 403.
 * A request with neither header (a non-browser client) passes.
 */
@Injectable()
export class LoginOriginGuard implements CanActivate {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(config: AppConfig) {
    this.allowedOrigins = new Set([...config.corsOrigins, new URL(config.appUrl).origin]);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const origin = request.headers.origin;
    if (request.headers['sec-fetch-site'] === 'cross-site' || (origin !== undefined && !this.allowedOrigins.has(origin))) {
      throw new DomainException(ErrorCode.FORBIDDEN, 'Cross-site login refused');
    }
    return true;
  }
}
