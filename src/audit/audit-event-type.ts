/** Security events written to `auth_events` (API.md, "Administration"). */
export enum AuditEventType {
  REGISTER = 'register',
  LOGIN_SUCCEEDED = 'login.succeeded',
  LOGIN_FAILED = 'login.failed',
  LOGOUT = 'logout',
  LOGOUT_ALL = 'logout_all',
  LOGIN_ENDED = 'login.ended',
  REFRESH_REUSE_DETECTED = 'refresh.reuse_detected',
  PASSWORD_CHANGED = 'password.changed',
  PASSWORD_RESET_REQUESTED = 'password.reset_requested',
  PASSWORD_RESET = 'password.reset',
  USER_DISABLED = 'user.disabled',
  USER_ENABLED = 'user.enabled',
  ROLES_CHANGED = 'user.roles_changed',
  API_KEY_CREATED = 'api_key.created',
  API_KEY_REVOKED = 'api_key.revoked',
}
