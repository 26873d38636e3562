import { Injectable } from '@nestjs/common';
import { SessionsService } from '../../users/sessions/sessions.service';

export interface LoginsToKeep {
  readonly sessionId?: string;
}

/** A user's logins of every kind, seen together: what "end all logins" ends. */
@Injectable()
export class LoginsService {
  constructor(private readonly sessions: SessionsService) {}

  /**
   * Makes a role change apply at once. Sessions need nothing (the store reads roles on every
   * request); access tokens issued before the change get the new roles from the roles cache.
   */
  async applyRoles(_userId: string, _roles: readonly string[]): Promise<void> {}

  /** Ends every login of the user except the ones named in `keep`. */
  async endAll(userId: string, keep: LoginsToKeep = {}): Promise<void> {
    await this.sessions.endAll(userId, keep.sessionId);
  }
}
