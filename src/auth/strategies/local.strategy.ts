import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { UserEntity } from '../../users/entities/user.entity';
import { UsersService } from '../../users/users.service';

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid username or password';

/**
 * Username-or-email and password. Unknown user, wrong password and disabled user all end in the
 * same exception after the same bcrypt work, so neither the answer nor its timing tells them apart.
 */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly users: UsersService) {
    super({ usernameField: 'username', passwordField: 'password', session: false });
  }

  async validate(username: string, password: string): Promise<UserEntity> {
    const user = await this.users.verifyCredentials(username, password);
    if (user === null) throw new DomainException(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS_MESSAGE);
    return user;
  }
}
