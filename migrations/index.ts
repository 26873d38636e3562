import { CreateUsers1795400000000 } from './1795400000000-create-users';
import { CreateSessions1795450000000 } from './1795450000000-create-sessions';
import { CreateRefreshTokens1795500000000 } from './1795500000000-create-refresh-tokens';
import { CreateAuthEvents1795600000000 } from './1795600000000-create-auth-events';
import { CreatePasswordResetTokens1795610000000 } from './1795610000000-create-password-reset-tokens';
import { CreateLoginFailures1795620000000 } from './1795620000000-create-login-failures';
import { AddUsersRolesChangedAt1795630000000 } from './1795630000000-add-users-roles-changed-at';
import { AddRefreshTokensRetryKey1795640000000 } from './1795640000000-add-refresh-tokens-retry-key';
import { Accounts1796100000000 } from './1796100000000-accounts';
import { CreateRevocationEvents1796300000000 } from './1796300000000-create-revocation-events';
import { CreateIpThrottleCounts1796300000001 } from './1796300000001-create-ip-throttle-counts';
import { CreateHousekeepingRuns1796300000002 } from './1796300000002-create-housekeeping-runs';
import { CreateApiKeys1796200000000 } from './1796200000000-create-api-keys';
import { NotifyApiKeyChanges1796200001000 } from './1796200001000-notify-api-key-changes';
import { LogApiKeyChanges1796400000000 } from './1796400000000-log-api-key-changes';
import { LogSessionChanges1796500000000 } from './1796500000000-log-session-changes';

/** Every migration, in order. Listed explicitly: the app, the CLI and the tests load the same set. */
export const MIGRATIONS = [
  CreateUsers1795400000000,
  CreateSessions1795450000000,
  CreateRefreshTokens1795500000000,
  CreateAuthEvents1795600000000,
  CreatePasswordResetTokens1795610000000,
  CreateLoginFailures1795620000000,
  AddUsersRolesChangedAt1795630000000,
  AddRefreshTokensRetryKey1795640000000,
  Accounts1796100000000,
  CreateRevocationEvents1796300000000,
  CreateIpThrottleCounts1796300000001,
  CreateHousekeepingRuns1796300000002,
  CreateApiKeys1796200000000,
  NotifyApiKeyChanges1796200001000,
  LogApiKeyChanges1796400000000,
  LogSessionChanges1796500000000,
];
