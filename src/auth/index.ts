/**
 * The public entry of authentication for product modules: import everything from here.
 *
 * @example
 * import { AuthModule, CurrentUser, JwtGuard, Principal, Roles, RolesGuard, SessionGuard } from '../auth';
 */
export { AuthModule } from './auth.module';
export { SessionGuard } from './guards/session.guard';
export { JwtGuard } from './guards/jwt.guard';
export { SessionOrJwtGuard } from './guards/session-or-jwt.guard';
export { RolesGuard } from './guards/roles.guard';
export { Roles, ROLES_KEY } from './decorators/roles.decorator';
export { CurrentUser } from './decorators/current-user.decorator';
export type { Principal } from './principal';
