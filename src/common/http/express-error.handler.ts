import { Logger } from '@nestjs/common';
import type { ErrorRequestHandler } from 'express';
import { isDatabaseUnavailable } from '../errors/database-errors';
import { errorBody, ErrorBody } from '../errors/error-body';
import { ErrorCode } from '../errors/error-code';
import { ForbiddenJsonContentError } from './forbidden-json-content.error';

const logger = new Logger('ExpressErrorHandler');

/**
 * Errors raised by Express middleware (body parsing, the session store) happen before Nest's
 * exception filter can see the request, so they get the contract's error shape here.
 */
export const expressErrorHandler: ErrorRequestHandler = (error: unknown, request, response, next) => {
  if (response.headersSent) return next(error);
  const body = toErrorBody(error, String(request.id));
  response.status(body.statusCode).json(body);
};

function toErrorBody(error: unknown, requestId: string): ErrorBody {
  if (error instanceof ForbiddenJsonContentError) return errorBody(ErrorCode.VALIDATION_FAILED, error.message);
  switch ((error as { type?: unknown } | null)?.type) {
    case 'entity.too.large':
      return errorBody(ErrorCode.PAYLOAD_TOO_LARGE, 'Request body is too large');
    case 'entity.parse.failed':
      return errorBody(ErrorCode.MALFORMED_JSON, 'Request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return errorBody(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Unsupported body encoding');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return errorBody(ErrorCode.VALIDATION_FAILED, 'Request body could not be read');
  }
  if (isDatabaseUnavailable(error)) return errorBody(ErrorCode.DATABASE_UNAVAILABLE, 'The database is unavailable');
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return errorBody(ErrorCode.VALIDATION_FAILED, 'The request could not be read');
  logger.error(
    `Unhandled middleware error (request ${requestId}): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
  );
  return errorBody(ErrorCode.INTERNAL_ERROR, 'Internal server error');
}
