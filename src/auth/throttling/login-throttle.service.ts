import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { hashSecret } from '../../common/crypto/secret-token';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { AppConfig } from '../../config/app-config';

/** NIST SP 800-63B §3.2.2: at most 100 consecutive failures; then an hour from the last one. */
export const MAX_CONSECUTIVE_FAILURES = 100;
export const LOCKOUT_SECONDS = 3600;

interface AttemptRow {
  /** Seconds until the window admits again; 0 when under the limit. */
  window_wait: number;
  /** Seconds until a lockout after 100 consecutive failures ends; 0 when not locked. */
  lockout_wait: number;
}

/** Stored hashed, so names typed at the login form (sometimes passwords) are not kept in clear. */
const accountKey = (key: string) => hashSecret(key);

/**
 * Limits login attempts per account name, known or not (an unknown name is throttled exactly like a
 * real one, so throttling tells nothing either). Counted in PostgreSQL so every instance sees them;
 * an attempt is counted *before* the password is checked, in one atomic upsert, so concurrent
 * guesses cannot slip past the limit. A success deletes the account's row.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** Counts an attempt; 429 with Retry-After when the account is over its limit or locked out. */
  /** `key` names the account: its user id, or the typed name when no user has it. */
  async admit(key: string): Promise<void> {
    if (this.config.throttleLoginLimit === 0) return;
    const { window_wait, lockout_wait } = await this.countAttempt(accountKey(key));
    const wait = Math.max(window_wait, lockout_wait);
    if (wait > 0) {
      throw new DomainException(ErrorCode.TOO_MANY_REQUESTS, 'Too many login attempts, retry later', {
        'Retry-After': String(Math.ceil(wait)),
      });
    }
  }

  async recordFailure(key: string): Promise<void> {
    if (this.config.throttleLoginLimit === 0) return;
    await this.dataSource.query(
      'UPDATE login_failures SET consecutive_failures = consecutive_failures + 1, last_failure_at = now() WHERE account_key = $1',
      [accountKey(key)],
    );
  }

  async recordSuccess(key: string): Promise<void> {
    if (this.config.throttleLoginLimit === 0) return;
    await this.dataSource.query('DELETE FROM login_failures WHERE account_key = $1', [accountKey(key)]);
  }

  private async countAttempt(key: string): Promise<AttemptRow> {
    const rows = await this.dataSource.query<AttemptRow[]>(
      `INSERT INTO login_failures AS f (account_key, window_started_at, window_attempts)
       VALUES ($1, now(), 1)
       ON CONFLICT (account_key) DO UPDATE SET
         window_attempts = CASE WHEN f.window_started_at <= now() - make_interval(secs => $2) THEN 1 ELSE f.window_attempts + 1 END,
         window_started_at = CASE WHEN f.window_started_at <= now() - make_interval(secs => $2) THEN now() ELSE f.window_started_at END
       RETURNING
         CASE WHEN window_attempts > $3
           THEN GREATEST(0, EXTRACT(EPOCH FROM window_started_at + make_interval(secs => $2) - now())) ELSE 0 END::float AS window_wait,
         CASE WHEN consecutive_failures >= $4
           THEN GREATEST(0, EXTRACT(EPOCH FROM last_failure_at + make_interval(secs => $5) - now())) ELSE 0 END::float AS lockout_wait`,
      [key, this.config.throttleTtlSeconds, this.config.throttleLoginLimit, MAX_CONSECUTIVE_FAILURES, LOCKOUT_SECONDS],
    );
    return rows[0];
  }
}
