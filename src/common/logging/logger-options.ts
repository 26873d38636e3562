import type { LoggerOptions } from 'pino';
import { AppConfig } from '../../config/app-config';

/** Never logged (request lines carry no headers at all; this guards any line that would). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'req.body',
  'req.query.token',
];

export function loggerOptions(config: AppConfig): LoggerOptions {
  return { level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
}
