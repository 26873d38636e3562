import { CreateUsers1795400000000 } from './1795400000000-create-users';
import { CreateRefreshTokens1795500000000 } from './1795500000000-create-refresh-tokens';

/** Every migration, in order. Listed explicitly: the app, the CLI and the tests load the same set. */
export const MIGRATIONS = [CreateUsers1795400000000, CreateRefreshTokens1795500000000];
