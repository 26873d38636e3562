import { CanActivate, ExecutionContext, Injectable, ValidationPipe } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { UserEntity } from '../../users/user.entity';
import { LOGIN_BODY_KEY } from './login-body.decorator';
import { LoginDto } from './login.dto';
import { INVALID_CREDENTIALS_MESSAGE } from './credentials.service';
import { LocalStrategy } from './local.strategy';
import { runStrategy } from '../strategies/run-strategy';

/** The same rules as the global pipe (app.setup.ts). */
const bodyValidation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });

/**
 * Runs LocalStrategy and puts the user on `request.user`. Guards run before pipes, so the whole body
 * is validated here first (against `@LoginBody(Dto)`, else LoginDto): a malformed login is 400 before
 * any password is checked, counted or audited.
 */
@Injectable()
export class LocalAuthGuard implements CanActivate {
  constructor(
    private readonly strategy: LocalStrategy,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const dto = this.reflector.get<typeof LoginDto | undefined>(LOGIN_BODY_KEY, context.getHandler()) ?? LoginDto;
    await bodyValidation.transform(request.body ?? {}, { type: 'body', metatype: dto });
    const outcome = await runStrategy<UserEntity>(this.strategy, request);
    if (outcome.kind === 'error') throw outcome.error;
    if (outcome.kind === 'fail') throw new DomainException(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS_MESSAGE);
    request.user = outcome.user;
    return true;
  }
}
