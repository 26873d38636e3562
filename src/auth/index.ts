/**
 * The public entry of authentication for product modules: import everything from here.
 *
 * @example
 * import { AuthModule, CurrentUser, JwtGuard, Principal, Roles, RolesGuard, SessionGuard } from './index';
 */
export { AuthModule } from './auth.module';
export { DevicesService } from './account/devices.service';
export { AccountDeletionService } from './account/account-deletion.service';
export { CookieSessionService } from './cookie-session/cookie-session.service';
export { MfaService } from './mfa/mfa.service';
export { SessionGuard } from './cookie-session/session.guard';
export { JwtGuard } from './jwt/jwt.guard';
export { ApiKeyGuard } from './api-keys/api-key.guard';
export { Scopes, SCOPES_KEY } from './api-keys/scopes.decorator';
export { ApiKeysService } from './api-keys/api-keys.service';
export { ApiKeyView } from './api-keys/api-key.view';
export { SessionOrJwtGuard } from './guards/session-or-jwt.guard';
export { RolesGuard } from './guards/roles.guard';
export { Roles, ROLES_KEY } from './guards/roles.decorator';
export { CurrentUser } from './guards/current-user.decorator';
export type { Principal } from './principal';
