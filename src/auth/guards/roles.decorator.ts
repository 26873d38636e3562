import { SetMetadata } from '@nestjs/common';

export const ROLES_KEY = 'auth:roles';

/**
 * The roles a route needs (any one of them), checked by `RolesGuard` after an authentication guard.
 *
 * @example
 * @Controller('reports')
 * @UseGuards(SessionOrJwtGuard, RolesGuard)
 * @Roles('admin')
 * export class ReportsController {}
 */
export const Roles = (...roles: string[]) => SetMetadata(ROLES_KEY, roles);
