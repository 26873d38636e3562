import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { DomainException } from '../common/errors/domain.exception';
import { ErrorCode } from '../common/errors/error-code';
import { CsrfTokenService } from '../tokens/csrf-token.service';
import { CSRF_HEADER, CSRF_TOKEN_COOKIE, readCookie } from './jwt-cookies';

export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Signed double submit: the header must equal the `csrf_token` cookie and be a token this service
 * issued for the login (`familyId`) the request's cookie belongs to.
 */
export function assertJwtCsrf(request: Request, familyId: string, csrf: CsrfTokenService): void {
  const header = request.get(CSRF_HEADER);
  const cookie = readCookie(request, CSRF_TOKEN_COOKIE);
  if (header === undefined || cookie === undefined || !sameString(header, cookie) || !csrf.verify(header, familyId)) {
    throw new DomainException(ErrorCode.CSRF_FAILED, 'Missing or invalid CSRF token');
  }
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
