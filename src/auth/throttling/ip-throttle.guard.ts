import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { AppConfig } from '../../config/app-config';

/** Requests per client IP on a credential endpoint, relative to the per-account login limit. */
export const IP_LIMIT_FACTOR = 4;

/**
 * Per-IP request limit of a credential endpoint: put it first in the route's `@UseGuards(...)`, so a
 * throttled call costs no bcrypt work. Each route has its own budget (express-rate-limit, counted in
 * this instance's memory; the per-account limit is LoginThrottleService's, in PostgreSQL). The client
 * IP is `request.ip`, which honours X-Forwarded-For only when TRUST_PROXY is set. 429 carries
 * Retry-After.
 *
 * Not @nestjs/throttler: it is published as CommonJS that requires the ESM-only @nestjs/common, which
 * Jest cannot load on Node 20, so the e2e tests could not run the real app with it.
 */
@Injectable()
export class IpThrottleGuard implements CanActivate {
  private readonly limiter: RequestHandler;

  constructor(private readonly config: AppConfig) {
    this.limiter = rateLimit({
      windowMs: config.throttleTtlSeconds * 1000,
      limit: config.throttleLoginLimit * IP_LIMIT_FACTOR,
      skip: () => config.throttleLoginLimit === 0,
      // One budget per route and address: `request.route` is the Express route Nest matched.
      keyGenerator: (request) => `${request.method} ${String(request.route?.path ?? request.path)} ${ipKeyGenerator(request.ip ?? '')}`,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      // X-Forwarded-For is deliberately ignored unless TRUST_PROXY says a proxy sets it.
      validate: { xForwardedForHeader: false },
      handler: (_request, _response, next) => next(new DomainException(ErrorCode.TOO_MANY_REQUESTS, 'Too many requests, retry later')),
    });
  }

  canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    return new Promise((resolve, reject) =>
      this.limiter(http.getRequest<Request>(), http.getResponse<Response>(), (error?: unknown) => (error ? reject(error) : resolve(true))),
    );
  }
}
