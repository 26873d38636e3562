import type { RequestHandler } from 'express';
import { errorBody } from '../errors/error-body';
import { ErrorCode } from '../errors/error-code';
import { isUnsafeMethod } from './unsafe-method';

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/**
 * An unsafe request that carries a body must say it is JSON (415 otherwise). This also closes
 * the "simple request" CSRF route through text/plain, form and multipart bodies.
 */
export const requireJsonBody: RequestHandler = (request, response, next) => {
  if (isUnsafeMethod(request.method) && hasBody(request.headers) && !request.is('application/json')) {
    const body = errorBody(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Request body must be application/json');
    response.status(body.statusCode).json(body);
    return;
  }
  next();
};

/** DTO validation expects an object; a top-level JSON array or scalar is refused outright. */
export const requireObjectBody: RequestHandler = (request, response, next) => {
  if (request.body !== undefined && (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body))) {
    const body = errorBody(ErrorCode.VALIDATION_FAILED, 'Request body must be a JSON object');
    response.status(body.statusCode).json(body);
    return;
  }
  next();
};
