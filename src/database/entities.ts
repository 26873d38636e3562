import { SessionEntity } from '../users/entities/session.entity';
import { UserEntity } from '../users/entities/user.entity';

/** Every entity of the service, listed explicitly for the app and the TypeORM CLI. */
export const ENTITIES = [UserEntity, SessionEntity];
