import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import '../../users/sessions/session-data';
import { constantTimeEqual } from '../../common/crypto/constant-time-equal';
import { isUnsafeMethod } from '../../common/http/unsafe-method';
import { CSRF_HEADER } from '../csrf/csrf-header';
import type { Principal } from '../principal';

/**
 * Turns the session express-session loaded (one query, user joined) into a principal, with no
 * further I/O. Unsafe methods must carry the session's CSRF token.
 */
@Injectable()
export class SessionAuthenticator {
  /** True when the request carries a live session (whatever its CSRF state). */
  hasSession(request: Request): boolean {
    return request.session?.loaded !== undefined && typeof request.session.userId === 'string';
  }

  authenticate(request: Request): Principal {
    const loaded = request.session?.loaded;
    if (loaded === undefined || loaded.user.disabled) {
      throw new DomainException(ErrorCode.UNAUTHENTICATED, 'A valid session is required');
    }
    if (isUnsafeMethod(request.method) && !constantTimeEqual(request.get(CSRF_HEADER), request.session.csrfToken)) {
      throw new DomainException(ErrorCode.CSRF_FAILED, 'Missing or invalid X-CSRF-Token');
    }
    return {
      userId: loaded.user.id,
      roles: loaded.user.roles,
      authMethod: 'session',
      loginId: loaded.id,
      credential: 'cookie',
    };
  }
}
