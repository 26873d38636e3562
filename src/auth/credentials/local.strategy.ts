import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Strategy } from 'passport-local';
import { requestContext } from '../../audit/request-context';
import { LoginService } from './credentials.service';

/**
 * passport-local: username-or-email and password, for both flavours. Unknown user, wrong password
 * and disabled user all end in the same 401 after the same bcrypt work, so neither the answer nor
 * its timing tells them apart. Run per app instance by `LocalAuthGuard` (see run-strategy.ts).
 */
@Injectable()
export class LocalStrategy extends Strategy {
  constructor(logins: LoginService) {
    super({ usernameField: 'username', passwordField: 'password', session: false, passReqToCallback: true }, (request, username, password, done) => {
      logins.verify(username, password, requestContext(request as Request)).then(
        (user) => done(null, user),
        (error: unknown) => done(error),
      );
    });
  }
}
