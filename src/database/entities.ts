import { RefreshFamilyEntity } from '../tokens/entities/refresh-family.entity';
import { RefreshTokenEntity } from '../tokens/entities/refresh-token.entity';
import { RevokedAccessTokenEntity } from '../tokens/entities/revoked-access-token.entity';
import { UserEntity } from '../users/entities/user.entity';

/** Every entity of the service, listed explicitly for the app and the TypeORM CLI. */
export const ENTITIES = [UserEntity, RefreshFamilyEntity, RefreshTokenEntity, RevokedAccessTokenEntity];
