import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { errorBody } from '../../common/errors/error-body';
import { ErrorCode } from '../../common/errors/error-code';
import { AppConfig } from '../../config/app-config';

/** Requests per client IP on a credential endpoint, relative to the per-account login limit. */
export const IP_LIMIT_FACTOR = 4;

/**
 * Per-IP request limit for one credential endpoint (express-rate-limit, counts in this instance's
 * memory; the per-account limit is LoginThrottleService's, in PostgreSQL). The client IP is
 * `request.ip`, which honours X-Forwarded-For only when TRUST_PROXY is set. 429 carries Retry-After.
 *
 * Not @nestjs/throttler: it is published as CommonJS that requires the ESM-only @nestjs/common, which
 * Jest cannot load on Node 20, so the e2e tests could not run the real app with it.
 */
export function ipRateLimit(config: AppConfig): RequestHandler {
  return rateLimit({
    windowMs: config.throttleTtlSeconds * 1000,
    limit: config.throttleLoginLimit * IP_LIMIT_FACTOR,
    skip: () => config.throttleLoginLimit === 0,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // X-Forwarded-For is deliberately ignored unless TRUST_PROXY says a proxy sets it.
    validate: { xForwardedForHeader: false },
    handler: (_request, response) => {
      const body = errorBody(ErrorCode.TOO_MANY_REQUESTS, 'Too many requests, retry later');
      response.status(body.statusCode).json(body);
    },
  });
}
