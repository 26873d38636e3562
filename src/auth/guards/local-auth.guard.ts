import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { INVALID_CREDENTIALS_MESSAGE } from '../login.service';

const MAX_LOGIN_LENGTH = 254;
const MAX_PASSWORD_LENGTH = 1024;

/**
 * Runs LocalStrategy. Guards run before pipes, so the credentials' types are checked here:
 * a non-string never reaches bcrypt. The full body is validated by the route's DTO afterwards.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override canActivate(context: ExecutionContext) {
    const body = context.switchToHttp().getRequest<Request>().body as Record<string, unknown> | undefined;
    const { username, password } = body ?? {};
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
    return super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error instanceof DomainException) throw error;
    if (error !== null && error !== undefined) throw error;
    if (!user) throw new DomainException(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS_MESSAGE);
    return user;
  }
}
