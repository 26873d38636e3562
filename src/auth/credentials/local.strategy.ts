import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';
import { requestContext } from '../../audit/request-context';
import { UserEntity } from '../../users/user.entity';
import { MfaChallengesService } from '../mfa/mfa-challenges.service';
import { CredentialsService } from './credentials.service';
import { rememberOf } from './login-flavour.decorator';

/**
 * passport-local: username-or-email and password, for both flavours. Unknown user, wrong password
 * and disabled user all end in the same 401 after the same bcrypt work, so neither the answer nor
 * its timing tells them apart.
 */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy) {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly mfa: MfaChallengesService,
  ) {
    super({ usernameField: 'username', passwordField: 'password', session: false, passReqToCallback: true });
  }

  /**
   * The password first (every failure the same 401); then, for an account with MFA on, the answer
   * is 401 MFA_REQUIRED with an `mfaToken` bound to this login's flavour, and nothing is created.
   */
  async validate(request: Request, username: string, password: string): Promise<UserEntity> {
    const context = requestContext(request);
    const user = await this.credentials.verify(username, password, context);
    await this.mfa.challengeIfEnabled(user, request.loginFlavour ?? 'session', rememberOf(request.body), context);
    return user;
  }
}
