import { randomUUID } from 'node:crypto';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { AppConfig } from './config/app-config';

/** Never logged (request lines carry no headers at all; this guards any line that would). */
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
    // A lean line per request: id, method, path, status and pino-http's responseTime. No headers: they
    // are the bulk of the cost of a log line, and the credentials live in them.
    serializers: {
      req: (request: { id: unknown; method: unknown; url?: unknown }) => ({
        id: request.id,
        method: request.method,
        // The query string can carry a reset token; log the path only.
        path: typeof request.url === 'string' ? request.url.split('?')[0] : undefined,
      }),
      res: (response: { statusCode: unknown }) => ({ statusCode: response.statusCode }),
    },
  };
  return { pinoHttp: destination === undefined ? options : [options, destination] };
}
