import { AuthEventEntity } from '../audit/auth-event.entity';
import { EmailTokenEntity } from '../auth/email-verification/email-token.entity';
import { MfaChallengeEntity, MfaRecoveryCodeEntity } from '../auth/mfa/mfa.entities';
import { DeletedUserEntity } from '../tokens/revocation/deleted-user.entity';
import { HousekeepingRunEntity } from '../common/housekeeping-run.entity';
import { ApiKeyEntity } from '../auth/api-keys/api-key.entity';
import { LoginFailureEntity } from '../auth/throttling/login-failure.entity';
import { RefreshFamilyEntity } from '../tokens/refresh/refresh-family.entity';
import { RefreshTokenEntity } from '../tokens/refresh/refresh-token.entity';
import { RevocationEventLogEntity } from '../tokens/revocation/revocation-event-log.entity';
import { RevokedAccessTokenEntity } from '../tokens/revocation/revoked-access-token.entity';
import { PasswordResetTokenEntity } from '../users/passwords/password-reset-token.entity';
import { SessionEntity } from '../users/sessions/session.entity';
import { UserEntity } from '../users/user.entity';

/** Every entity of the service, listed explicitly for the app and the TypeORM CLI. */
export const ENTITIES = [
  UserEntity,
  SessionEntity,
  PasswordResetTokenEntity,
  RefreshFamilyEntity,
  RefreshTokenEntity,
  RevokedAccessTokenEntity,
  RevocationEventLogEntity,
  AuthEventEntity,
  LoginFailureEntity,
  EmailTokenEntity,
  MfaRecoveryCodeEntity,
  MfaChallengeEntity,
  DeletedUserEntity,
  HousekeepingRunEntity,
  ApiKeyEntity,
];
