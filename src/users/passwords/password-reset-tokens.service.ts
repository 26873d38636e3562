import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { hashSecret, newSecretToken } from '../../common/crypto/secret-token';

export const RESET_TOKEN_TTL_SECONDS = 30 * 60;
const MIN_SECONDS_BETWEEN_MAILS = 60;

/** Issues and spends single-use reset tokens (256 random bits, kept only as SHA-256, 30 minutes). */
@Injectable()
export class PasswordResetTokensService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * A new token for the user; any earlier unspent one stops working. Null when one was issued less
   * than a minute ago, so repeated requests cannot flood the user's mailbox.
   */
  async issue(userId: string): Promise<string | null> {
    const token = newSecretToken();
    return this.dataSource.transaction(async (manager) => {
      // Serialises concurrent requests for one user, so the one-a-minute rule holds under races.
      await manager.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [userId]);
      const recent = await manager.query<unknown[]>(
        `SELECT 1 FROM password_reset_tokens
          WHERE user_id = $1 AND used_at IS NULL AND created_at > now() - make_interval(secs => $2)`,
        [userId, MIN_SECONDS_BETWEEN_MAILS],
      );
      if (recent.length > 0) return null;
      await manager.query('DELETE FROM password_reset_tokens WHERE user_id = $1 AND used_at IS NULL', [userId]);
      await manager.query(
        `INSERT INTO password_reset_tokens (token_hash, user_id, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3))`,
        [hashSecret(token), userId, RESET_TOKEN_TTL_SECONDS],
      );
      return token;
    });
  }

  /** Voids every unspent token of the user (their password changed, or the account was disabled). */
  async voidAll(userId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM password_reset_tokens WHERE user_id = $1 AND used_at IS NULL', [userId]);
  }

  /** The user a live token belongs to, without spending it. */
  async findUserId(token: string): Promise<string | null> {
    const rows = await this.dataSource.query<{ user_id: string }[]>(
      'SELECT user_id FROM password_reset_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()',
      [hashSecret(token)],
    );
    return rows[0]?.user_id ?? null;
  }

  /** Spends the token atomically: of concurrent spends, exactly one gets the user id. */
  async spend(token: string): Promise<string | null> {
    const rows = await this.dataSource.query<[{ user_id: string }[], number]>(
      `UPDATE password_reset_tokens SET used_at = now()
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
        RETURNING user_id`,
      [hashSecret(token)],
    );
    return rows[0][0]?.user_id ?? null;
  }
}
