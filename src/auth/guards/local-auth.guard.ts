import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { UserEntity } from '../../users/entities/user.entity';
import { INVALID_CREDENTIALS_MESSAGE } from '../login.service';
import { LocalStrategy } from '../strategies/local.strategy';
import { runStrategy } from '../strategies/run-strategy';

const MAX_LOGIN_LENGTH = 254;
const MAX_PASSWORD_LENGTH = 1024;

/**
 * Runs LocalStrategy and puts the user on `request.user`. Guards run before pipes, so the
 * credentials' types are checked here: a non-string never reaches bcrypt. The full body is
 * validated by the route's DTO afterwards.
 */
@Injectable()
export class LocalAuthGuard implements CanActivate {
  constructor(private readonly strategy: LocalStrategy) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const { username, password } = (request.body ?? {}) as Record<string, unknown>;
    if (
      typeof username !== 'string' ||
      typeof password !== 'string' ||
      username.length === 0 ||
      password.length === 0 ||
      username.length > MAX_LOGIN_LENGTH ||
      password.length > MAX_PASSWORD_LENGTH
    ) {
      throw new DomainException(ErrorCode.VALIDATION_FAILED, 'username and password must be non-empty strings');
    }
    const outcome = await runStrategy<UserEntity>(this.strategy, request);
    if (outcome.kind === 'error') throw outcome.error;
    if (outcome.kind === 'fail') throw new DomainException(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS_MESSAGE);
    request.user = outcome.user;
    return true;
  }
}
