import type { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/**
 * A Redis connection that never queues commands while it is down (callers fall back at once) and
 * reconnects with backoff. Errors are logged once per outage, without the URL (it may carry a password).
 */
export function connectRedis(url: string, connectionName: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectionName,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
    retryStrategy: (attempt) => Math.min(FIRST_RETRY_MS * 2 ** attempt, MAX_RETRY_MS),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn(`Redis connection ${connectionName} failed (${error.message}); retrying`);
  });
  redis.on('ready', () => {
    if (down) logger.log(`Redis connection ${connectionName} is back`);
    down = false;
  });
  return redis;
}
