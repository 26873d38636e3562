import { CanActivate, ExecutionContext, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { connectRedis } from '../../common/redis/redis-connection';
import { AppConfig } from '../../config/app-config';

/** Requests per client IP on a credential endpoint, relative to the per-account login limit. */
export const IP_LIMIT_FACTOR = 4;
/** Created by migration 1796300000001, never at run time. */
export const IP_THROTTLE_TABLE = 'ip_throttle_counts';

/**
 * Per-IP request limit of a credential endpoint: put it first in the route's `@UseGuards(...)`, so a
 * throttled call costs no bcrypt work. Each route has its own budget of `4 × THROTTLE_LOGIN_LIMIT`
 * requests per `THROTTLE_TTL`, one count for the whole cluster (rate-limiter-flexible): in Redis
 * when REDIS_URL is set, else in PostgreSQL (`ip_throttle_counts`). While that store cannot answer,
 * each instance counts in its own memory rather than letting everything through. The client IP is
 * `request.ip`, which honours X-Forwarded-For only when TRUST_PROXY is set. 429 carries Retry-After.
 *
 * Not @nestjs/throttler: it is published as CommonJS that requires the ESM-only @nestjs/common, which
 * Jest cannot load on Node 20, so the e2e tests could not run the real app with it.
 */
@Injectable()
export class IpThrottleGuard implements CanActivate, OnModuleDestroy {
  private readonly logger = new Logger(IpThrottleGuard.name);
  private readonly limiter: RateLimiterAbstract | undefined;
  private readonly redis: Redis | undefined;
  private readonly limit: number;
  private readonly windowSeconds: number;

  constructor(config: AppConfig, dataSource: DataSource) {
    this.limit = config.throttleLoginLimit * IP_LIMIT_FACTOR;
    this.windowSeconds = config.throttleTtlSeconds;
    if (this.limit === 0) return;
    const options = { points: this.limit, duration: this.windowSeconds };
    const insuranceLimiter = new RateLimiterMemory(options);
    if (config.redisUrl !== undefined) {
      this.redis = connectRedis(config.redisUrl, 'auth-ip-throttle', this.logger);
      this.limiter = new RateLimiterRedis({
        ...options,
        storeClient: this.redis,
        keyPrefix: `${config.redisKeyPrefix}ip-throttle`,
        insuranceLimiter,
      });
    } else {
      this.limiter = new RateLimiterPostgres({
        ...options,
        storeClient: unnamedStatements((dataSource.driver as unknown as { master: Pool }).master),
        storeType: 'pool',
        tableName: IP_THROTTLE_TABLE,
        tableCreated: true,
        // Expired rows go with the housekeeping (LoginFailuresPruner), once per cluster.
        clearExpiredByTimeout: false,
        keyPrefix: 'ip',
        insuranceLimiter,
      });
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.limiter === undefined) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    // One budget per route and address: `request.route` is the Express route Nest matched.
    const key = `${request.method} ${String(request.route?.path ?? request.path)} ${ipKeyGenerator(request.ip ?? '')}`;
    response.setHeader('RateLimit-Policy', `${this.limit};w=${this.windowSeconds}`);
    try {
      this.setRateLimit(response, await this.limiter.consume(key));
      return true;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      this.setRateLimit(response, rejection);
      response.setHeader('Retry-After', String(secondsUntil(rejection)));
      throw new DomainException(ErrorCode.TOO_MANY_REQUESTS, 'Too many requests, retry later');
    }
  }

  private setRateLimit(response: Response, result: RateLimiterRes): void {
    response.setHeader('RateLimit', `limit=${this.limit}, remaining=${result.remainingPoints}, reset=${secondsUntil(result)}`);
  }
}

function secondsUntil(result: RateLimiterRes): number {
  return Math.max(1, Math.ceil(result.msBeforeNext / 1000));
}

/**
 * rate-limiter-flexible names its statements (server-side prepared statements), which a
 * transaction-mode pooler such as PgBouncer before 1.21 cannot keep: the same queries, unnamed.
 */
function unnamedStatements(pool: Pool): { query(query: { text: string; values: unknown[] }): Promise<unknown> } {
  return { query: ({ text, values }) => pool.query(text, values) };
}
