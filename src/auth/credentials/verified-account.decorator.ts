import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { UserEntity } from '../../users/user.entity';

/** The account `LocalAuthGuard` verified on a login route. */
export const VerifiedAccount = createParamDecorator((_data: unknown, context: ExecutionContext): UserEntity => {
  const account = context.switchToHttp().getRequest<Request>().account;
  // Only reachable on a route without LocalAuthGuard: a programming error, not a client's.
  if (account === undefined) throw new Error('@VerifiedAccount() needs LocalAuthGuard on the route');
  return account;
});
