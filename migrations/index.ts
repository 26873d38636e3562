import { CreateSessions1795450000000 } from './1795450000000-create-sessions';
import { CreateUsers1795400000000 } from './1795400000000-create-users';

/** Every migration, in order. Listed explicitly: the app, the CLI and the tests load the same set. */
export const MIGRATIONS = [CreateUsers1795400000000, CreateSessions1795450000000];
