import { randomUUID } from 'node:crypto';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { AppConfig } from './config/app-config';

/** Never logged: credentials in headers, cookies set by the service, or any request body. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'req.body',
  'req.query.token',
];

/** Logs go to stdout unless a destination is given (an embedding app's, or a test's). */
export function loggerOptions(config: AppConfig, destination?: DestinationStream): Params {
  const options: Options = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // The id assignRequestId gave the request, so log lines and X-Request-Id agree.
    genReqId: (request) => request.id ?? randomUUID(),
    autoLogging: { ignore: (request) => request.url === '/health' },
    serializers: {
      req: (request: { id: unknown; method: unknown; url?: unknown; headers: Record<string, unknown> }) => ({
        id: request.id,
        method: request.method,
        // The query string can carry a reset token; log the path only.
        path: typeof request.url === 'string' ? request.url.split('?')[0] : undefined,
        headers: request.headers,
      }),
    },
  };
  return { pinoHttp: destination === undefined ? options : [options, destination] };
}
