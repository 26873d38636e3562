import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { CsrfTokenService } from './csrf-token.service';
import { constantTimeEqual } from '../../common/crypto/constant-time-equal';
import { CSRF_HEADER } from './csrf-header';
import { CSRF_TOKEN_COOKIE, readCookie } from '../jwt/jwt-cookies';

/**
 * Signed double submit: the header must equal the `csrf_token` cookie and be a token this service
 * issued for the login (`familyId`) the request's cookie belongs to.
 */
export function assertJwtCsrf(request: Request, familyId: string, csrf: CsrfTokenService): void {
  const header = request.get(CSRF_HEADER);
  const cookie = readCookie(request, CSRF_TOKEN_COOKIE);
  if (!constantTimeEqual(header, cookie) || !csrf.verify(header ?? '', familyId)) {
    throw new DomainException(ErrorCode.CSRF_FAILED, 'Missing or invalid CSRF token');
  }
}

/** The cookie session's check: the header must be the session's token (derived from its nonce). */
export function assertSessionCsrf(request: Request, csrfNonce: string | undefined, csrf: CsrfTokenService): void {
  const header = request.get(CSRF_HEADER);
  if (header === undefined || csrfNonce === undefined || !csrf.verifySession(header, csrfNonce)) {
    throw new DomainException(ErrorCode.CSRF_FAILED, 'Missing or invalid X-CSRF-Token');
  }
}
