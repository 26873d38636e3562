import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import type { RequestContext } from '../../audit/request-context';
import { hashSecret, newSecretToken } from '../../common/crypto/secret-token';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { UserEntity } from '../../users/user.entity';
import type { LoginFlavour } from '../credentials/login-flavour.decorator';

export const MFA_TOKEN_TTL_SECONDS = 5 * 60;
export const MFA_MAX_FAILED_CODES = 5;

export interface LiveChallenge {
  readonly id: string;
  readonly userId: string;
  readonly flavour: LoginFlavour;
  readonly remember: boolean;
}

interface ChallengeRow {
  id: string;
  user_id: string;
  flavour: LoginFlavour;
  remember: boolean;
}

/**
 * The pending logins of MFA accounts: an opaque `mfaToken` (256 bits, stored as SHA-256), single-use,
 * 5 minutes, dead after 5 wrong codes, bound to the flavour and transport of the login that made it.
 */
@Injectable()
export class MfaChallengesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** For an account with MFA on: records a challenge and answers 401 MFA_REQUIRED with its token. */
  async challengeIfEnabled(user: UserEntity, flavour: LoginFlavour, remember: boolean, context: RequestContext): Promise<void> {
    if (!user.mfaEnabled) return;
    const token = newSecretToken();
    await this.dataSource.query(
      `INSERT INTO mfa_challenges (token_hash, user_id, flavour, remember, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [hashSecret(token), user.id, flavour, remember, MFA_TOKEN_TTL_SECONDS],
    );
    await this.audit.record({ type: AuditEventType.MFA_CHALLENGED, userId: user.id, context, details: { flavour } });
    throw new DomainException(
      ErrorCode.MFA_REQUIRED,
      'A second factor is required: send a code to /auth/mfa/verify',
      {},
      { mfaToken: token },
    );
  }

  async findLive(token: string): Promise<LiveChallenge | undefined> {
    const rows = await this.dataSource.query<ChallengeRow[]>(
      `SELECT id, user_id, flavour, remember FROM mfa_challenges
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() AND failed_attempts < $2`,
      [hashSecret(token), MFA_MAX_FAILED_CODES],
    );
    const row = rows[0];
    return row === undefined ? undefined : { id: row.id, userId: row.user_id, flavour: row.flavour, remember: row.remember };
  }

  async recordFailure(id: string): Promise<void> {
    await this.dataSource.query('UPDATE mfa_challenges SET failed_attempts = failed_attempts + 1 WHERE id = $1', [id]);
  }

  /** Spends the challenge in one conditional UPDATE: of concurrent verifies, exactly one gets true. */
  async spend(id: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query<[unknown[], number]>(
      `UPDATE mfa_challenges SET used_at = now()
        WHERE id = $1 AND used_at IS NULL AND expires_at > now() AND failed_attempts < $2 RETURNING id`,
      [id, MFA_MAX_FAILED_CODES],
    );
    return affected > 0;
  }

  async voidAll(userId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM mfa_challenges WHERE user_id = $1', [userId]);
  }
}

export function invalidMfaToken(): DomainException {
  return new DomainException(ErrorCode.INVALID_MFA_TOKEN, 'The MFA token is invalid, used, expired or spent on wrong codes: log in again');
}
