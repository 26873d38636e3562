import { AuthEventEntity } from '../audit/auth-event.entity';
import { LoginFailureEntity } from '../auth/throttling/login-failure.entity';
import { RefreshFamilyEntity } from '../tokens/entities/refresh-family.entity';
import { RefreshTokenEntity } from '../tokens/entities/refresh-token.entity';
import { RevokedAccessTokenEntity } from '../tokens/entities/revoked-access-token.entity';
import { PasswordResetTokenEntity } from '../users/entities/password-reset-token.entity';
import { SessionEntity } from '../users/entities/session.entity';
import { UserEntity } from '../users/entities/user.entity';

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
];
