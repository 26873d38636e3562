import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { ROLES_KEY } from './roles.decorator';

/**
 * Authorizes after `SessionGuard`, `JwtGuard` or `SessionOrJwtGuard` has authenticated: 403 unless
 * the caller holds one of the `@Roles(...)` of the handler or its class. Fails closed: no principal
 * is 401, and a route under this guard without `@Roles` is refused, not opened.
 *
 * @example
 * @UseGuards(JwtGuard, RolesGuard)
 * @Roles('admin')
 * @Get('reports')
 * reports() { ... }
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<Request>().user;
    if (principal === undefined) throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required');
    const required = this.reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (required === undefined || required.length === 0 || !required.some((role) => principal.roles.includes(role))) {
      throw new DomainException(ErrorCode.FORBIDDEN, 'You do not have the role this needs');
    }
    return true;
  }
}
