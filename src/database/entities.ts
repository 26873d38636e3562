import { AuthEventEntity } from '../audit/auth-event.entity';
import { ApiKeyEntity } from '../auth/api-keys/api-key.entity';
import { LoginFailureEntity } from '../auth/throttling/login-failure.entity';
import { RefreshFamilyEntity } from '../tokens/refresh/refresh-family.entity';
import { RefreshTokenEntity } from '../tokens/refresh/refresh-token.entity';
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
  AuthEventEntity,
  LoginFailureEntity,
  ApiKeyEntity,
];
