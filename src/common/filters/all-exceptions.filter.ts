import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../errors/database-errors';
import { DomainException } from '../errors/domain.exception';
import { ERROR_STATUS, ErrorCode } from '../errors/error-code';
import { errorBody, ErrorBody } from '../errors/error-body';

const CODE_BY_STATUS: ReadonlyMap<number, ErrorCode> = new Map([
  [HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED],
  [HttpStatus.UNAUTHORIZED, ErrorCode.UNAUTHENTICATED],
  [HttpStatus.FORBIDDEN, ErrorCode.FORBIDDEN],
  [HttpStatus.NOT_FOUND, ErrorCode.NOT_FOUND],
  [HttpStatus.METHOD_NOT_ALLOWED, ErrorCode.METHOD_NOT_ALLOWED],
  [HttpStatus.PAYLOAD_TOO_LARGE, ErrorCode.PAYLOAD_TOO_LARGE],
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE, ErrorCode.UNSUPPORTED_MEDIA_TYPE],
  [HttpStatus.TOO_MANY_REQUESTS, ErrorCode.TOO_MANY_REQUESTS],
  [HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.DATABASE_UNAVAILABLE],
]);

const GENERIC_MESSAGE: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.UNAUTHENTICATED]: 'Authentication required',
  [ErrorCode.FORBIDDEN]: 'Forbidden',
  [ErrorCode.NOT_FOUND]: 'Not found',
  [ErrorCode.TOO_MANY_REQUESTS]: 'Too many requests, retry later',
  [ErrorCode.DATABASE_UNAVAILABLE]: 'The database is unavailable',
  [ErrorCode.INTERNAL_ERROR]: 'Internal server error',
};

/**
 * The one place that turns exceptions into the contract's `{statusCode, code, message}`.
 * Library and database messages never reach the client; unexpected errors are logged with
 * the request id, which the client sees in `X-Request-Id`.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger(AllExceptionsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception, host.switchToHttp().getRequest<Request>().id);
    if (exception instanceof DomainException) {
      for (const [name, value] of Object.entries(exception.headers)) response.setHeader(name, value);
    }
    if (response.headersSent) return;
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, requestId: string | undefined): ErrorBody {
    if (exception instanceof DomainException) return { ...exception.extra, ...errorBody(exception.code, exception.message) };
    if (exception instanceof HttpException) return this.fromHttpException(exception);
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`Database unavailable: ${describe(exception)}`);
      return errorBody(ErrorCode.DATABASE_UNAVAILABLE, GENERIC_MESSAGE[ErrorCode.DATABASE_UNAVAILABLE] ?? '');
    }
    this.logger.error(`Unhandled ${describe(exception)} (request ${requestId})`, exception instanceof Error ? exception.stack : undefined);
    return errorBody(ErrorCode.INTERNAL_ERROR, GENERIC_MESSAGE[ErrorCode.INTERNAL_ERROR] ?? '');
  }

  private fromHttpException(exception: HttpException): ErrorBody {
    const status = exception.getStatus();
    const code = CODE_BY_STATUS.get(status);
    if (code === undefined) {
      this.logger.error(`Unmapped HTTP status ${status}: ${exception.message}`);
      return errorBody(ErrorCode.INTERNAL_ERROR, GENERIC_MESSAGE[ErrorCode.INTERNAL_ERROR] ?? '');
    }
    const message = code === ErrorCode.VALIDATION_FAILED ? validationMessage(exception) : GENERIC_MESSAGE[code];
    return { statusCode: ERROR_STATUS[code], code, message: message ?? exception.message };
  }
}

/** ValidationPipe's messages name the property and the rule, never the submitted value. */
function validationMessage(exception: HttpException): string {
  const response = exception.getResponse();
  const message = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : 'Invalid request';
}

function describe(exception: unknown): string {
  return exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
}
