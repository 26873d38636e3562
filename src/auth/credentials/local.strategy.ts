import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';
import { requestContext } from '../../audit/request-context';
import { UserEntity } from '../../users/user.entity';
import { CredentialsService } from './credentials.service';

/**
 * passport-local: username-or-email and password, for both flavours. Unknown user, wrong password
 * and disabled user all end in the same 401 after the same bcrypt work, so neither the answer nor
 * its timing tells them apart.
 */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy) {
  constructor(private readonly credentials: CredentialsService) {
    super({ usernameField: 'username', passwordField: 'password', session: false, passReqToCallback: true });
  }

  validate(request: Request, username: string, password: string): Promise<UserEntity> {
    return this.credentials.verify(username, password, requestContext(request));
  }
}
