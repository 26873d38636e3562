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
  // A lone surrogate would become U+FFFD in UTF-8, making different passwords hash alike.
  if (typeof value === 'string' && !value.isWellFormed()) {
    throw new ForbiddenJsonContentError('Strings must be well-formed Unicode');
  }
  return value;
}

export function jsonBodyParser(limit: string): RequestHandler {
  // inflate: false: a compressed body is 415 rather than work (and failure modes) for the server.
  return json({ limit, strict: true, inflate: false, type: 'application/json', reviver: rejectForbiddenContent });
}
