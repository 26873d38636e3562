import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import type { Principal } from '../principal';

/**
 * The authenticated caller, as set by `SessionGuard`, `JwtGuard` or `SessionOrJwtGuard`.
 * Refuses (401) when no guard authenticated the request, so a missing guard fails closed.
 *
 * @example
 * @Get('profile')
 * @UseGuards(JwtGuard)
 * profile(@CurrentUser() user: Principal) { return this.profiles.find(user.userId); }
 */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<Request>().user;
  if (principal === undefined) throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required');
  return principal;
});
