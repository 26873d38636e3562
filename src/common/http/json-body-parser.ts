import { json, RequestHandler } from 'express';
import { ForbiddenJsonContentError } from './forbidden-json-content.error';

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * PostgreSQL rejects NUL in text (it would become a 500) and prototype keys invite pollution
 * through class-transformer, so both are refused while the body is parsed, for every route.
 */
function rejectForbiddenContent(key: string, value: unknown): unknown {
  if (PROTOTYPE_KEYS.has(key)) throw new ForbiddenJsonContentError(`Property "${key}" is not allowed`);
  if (typeof value === 'string' && value.includes('\u0000')) {
    throw new ForbiddenJsonContentError('Strings must not contain NUL characters');
  }
  return value;
}

export function jsonBodyParser(limit: string): RequestHandler {
  return json({ limit, strict: true, type: 'application/json', reviver: rejectForbiddenContent });
}
