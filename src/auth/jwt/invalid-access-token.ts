import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';

/**
 * The RFC 6750 refusal of a token that was sent and failed: forged, expired, revoked, or whose user
 * no longer exists (found out where a handler reads or references the user, not by a query per request).
 */
export function invalidAccessToken(): DomainException {
  return new DomainException(ErrorCode.INVALID_TOKEN, 'Invalid or expired access token', {
    'WWW-Authenticate': 'Bearer error="invalid_token"',
  });
}
