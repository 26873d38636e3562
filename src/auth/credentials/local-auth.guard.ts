import { ExecutionContext, Injectable, ValidationPipe } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, AuthGuardAuthenticateOptions } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { UserEntity } from '../../users/user.entity';
import { INVALID_CREDENTIALS_MESSAGE } from './credentials.service';
import { LOGIN_BODY_KEY } from './login-body.decorator';
import { LOGIN_FLAVOUR_KEY, LoginFlavour } from './login-flavour.decorator';
import { LoginDto } from './login.dto';

/** The same rules as the global pipe (app.setup.ts). */
const bodyValidation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });

declare module 'express-serve-static-core' {
  interface Request {
    /** On a login route, the account whose password `LocalAuthGuard` just verified (there is no caller yet). */
    account?: UserEntity;
  }
}

/**
 * `AuthGuard('local')`: runs LocalStrategy and puts the verified account on `request.account`
 * (read it with `@VerifiedAccount()`). Guards run before pipes, so the whole body is validated here
 * first (against `@LoginBody(Dto)`, else LoginDto): a malformed login is 400 before any password is
 * checked, counted or audited.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const dto = this.reflector.get<typeof LoginDto | undefined>(LOGIN_BODY_KEY, context.getHandler()) ?? LoginDto;
    await bodyValidation.transform(request.body ?? {}, { type: 'body', metatype: dto });
    const flavour = this.reflector.get<((body: Record<string, unknown>) => LoginFlavour) | undefined>(
      LOGIN_FLAVOUR_KEY,
      context.getHandler(),
    );
    request.loginFlavour = flavour?.((request.body ?? {}) as Record<string, unknown>) ?? 'session';
    return super.canActivate(context) as Promise<boolean>;
  }

  override getAuthenticateOptions(): AuthGuardAuthenticateOptions {
    return { property: 'account', session: false };
  }

  override handleRequest<TUser = UserEntity>(error: unknown, account: TUser | false): TUser {
    if (error) throw error;
    if (!account) throw new DomainException(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS_MESSAGE);
    return account;
  }
}
