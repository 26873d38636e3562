import type { ErrorRequestHandler } from 'express';
import { errorBody } from '../errors/error-body';
import { ErrorCode } from '../errors/error-code';
import { ForbiddenJsonContentError } from './forbidden-json-content.error';

/**
 * Express-level errors (body parsing) happen before Nest's exception filter can see the request,
 * so they get the contract's error shape here.
 */
export const bodyErrorHandler: ErrorRequestHandler = (error: unknown, _request, response, next) => {
  if (response.headersSent) return next(error);
  const type = (error as { type?: unknown } | null)?.type;
  const body =
    error instanceof ForbiddenJsonContentError
      ? errorBody(ErrorCode.VALIDATION_FAILED, error.message)
      : type === 'entity.too.large'
        ? errorBody(ErrorCode.PAYLOAD_TOO_LARGE, 'Request body is too large')
        : type === 'entity.parse.failed'
          ? errorBody(ErrorCode.MALFORMED_JSON, 'Request body is not valid JSON')
          : type === 'encoding.unsupported' || type === 'charset.unsupported'
            ? errorBody(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Unsupported body encoding')
            : errorBody(ErrorCode.VALIDATION_FAILED, 'Request body could not be read');
  response.status(body.statusCode).json(body);
};
