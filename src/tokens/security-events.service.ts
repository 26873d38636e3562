import { Injectable, Logger } from '@nestjs/common';

/**
 * Security events of the token flows. A structured warning in the log for now; the audit issue
 * replaces the body of these methods with rows in `auth_events`. Never given token material.
 */
@Injectable()
export class SecurityEvents {
  private readonly logger = new Logger('SecurityEvents');

  refreshTokenReuseDetected(event: { userId: string; familyId: string; ip: string | null }): void {
    this.logger.warn({ event: 'refresh_token_reuse_detected', ...event }, 'Refresh token reuse detected: family revoked');
  }
}
