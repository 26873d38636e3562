import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import { RequestContext } from '../../audit/request-context';
import { hashSecret, newSecretToken } from '../../common/crypto/secret-token';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { appLink } from '../../common/http/app-link';
import { AppConfig } from '../../config/app-config';
import { MailerService } from '../../mail/mailer.service';
import { PasswordResetTokensService } from '../../users/passwords/password-reset-tokens.service';
import { SessionCache } from '../../users/sessions/session-cache';
import { UserEntity } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
import { CredentialsService } from '../credentials/credentials.service';
import { SecurityNoticesService } from '../notices/security-notices.service';
import type { Principal } from '../principal';
import type { EmailTokenPurpose } from './email-token.entity';

export const EMAIL_TOKEN_TTL_SECONDS = 24 * 60 * 60;
const MIN_SECONDS_BETWEEN_MAILS = 60;
const INVALID_TOKEN_MESSAGE = 'The link is invalid, used or expired';

interface SpentToken {
  user_id: string;
  purpose: EmailTokenPurpose;
  email: string;
}

/**
 * Proving an address: the link sent at registration (and again on request) and the link of an
 * email change, sent to the new address. Tokens are 256 random bits, single-use, 24 h, stored as
 * SHA-256; a new link voids the user's earlier unspent one of the same purpose.
 */
@Injectable()
export class EmailVerificationService {
  private readonly logger = new Logger(EmailVerificationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly credentials: CredentialsService,
    private readonly resetTokens: PasswordResetTokensService,
    private readonly sessionCache: SessionCache,
    private readonly mailer: MailerService,
    private readonly notices: SecurityNoticesService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** After a registration: the verification link, sent after the response. */
  sendAfterRegistration(user: UserEntity, context: RequestContext): void {
    this.later(() => this.sendVerification(user, context, false));
  }

  /** POST /auth/email/verify/resend: a new link (the previous one void), at most one mail a minute. */
  async resend(caller: Principal, context: RequestContext): Promise<void> {
    const user = await this.users.findById(caller.userId);
    if (user === null) throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required');
    if (user.emailVerified) return;
    this.later(() => this.sendVerification(user, context, true));
  }

  /** POST /auth/email/change: a link to the new address, a notice to the old one; nothing changes yet. */
  async requestChange(caller: Principal, newEmail: string, currentPassword: string, context: RequestContext): Promise<void> {
    const user = await this.users.findById(caller.userId);
    if (user === null) throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required');
    await this.credentials.verifyCurrentPassword(user, currentPassword, context);
    const email = newEmail.toLowerCase();
    const owner = await this.users.findByEmail(email);
    if (owner !== null) throw new DomainException(ErrorCode.EMAIL_TAKEN, 'That email is already registered');
    const token = await this.issue(user.id, 'change', email, false);
    if (token === null) return;
    await this.audit.record({ type: AuditEventType.EMAIL_CHANGE_REQUESTED, userId: user.id, context });
    this.later(() =>
      this.mailer.send({
        to: email,
        subject: 'Confirm your new email address',
        text: [
          `${user.username} asked to use this address for their account.`,
          `To confirm, open this link within 24 hours: ${appLink(this.config.appUrl, 'verify-email', token)}`,
          'If it was not you, ignore this message.',
        ].join('\n\n'),
      }),
    );
    this.notices.send('email-change-requested', user);
  }

  /**
   * POST /auth/email/verify: spends the token in one conditional UPDATE and makes the address it
   * was sent to the user's verified email, in one transaction (a 409 of a change spends nothing).
   */
  async verify(token: string, context: RequestContext): Promise<void> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const [rows] = await manager.query<[SpentToken[], number]>(
        `UPDATE email_tokens SET used_at = now()
          WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
          RETURNING user_id, purpose, email`,
        [hashSecret(token)],
      );
      const spent = rows[0];
      if (spent === undefined) return null;
      const before = await manager.findOneBy(UserEntity, { id: spent.user_id });
      if (before === null || before.disabled) return null;
      if (spent.purpose === 'verify')
        return (await this.users.markEmailVerified(spent.user_id, spent.email, manager)) ? { spent, before } : null;
      return (await this.users.changeEmail(spent.user_id, spent.email, manager)) ? { spent, before } : null;
    });
    if (outcome === null) throw new DomainException(ErrorCode.INVALID_EMAIL_TOKEN, INVALID_TOKEN_MESSAGE);
    const { spent, before } = outcome;
    // Again now that it committed: a session loaded between the drop inside the transaction and the
    // commit read the old row, and the trigger's event reaches this instance only a moment later.
    this.sessionCache.forgetUser(spent.user_id);
    if (spent.purpose === 'verify') {
      await this.audit.record({ type: AuditEventType.EMAIL_VERIFIED, userId: spent.user_id, context });
      return;
    }
    // Reset links went to the old address: they stop.
    await this.resetTokens.voidAll(spent.user_id);
    await this.audit.record({ type: AuditEventType.EMAIL_CHANGED, userId: spent.user_id, context });
    this.notices.send('email-changed', before);
  }

  private async sendVerification(user: UserEntity, context: RequestContext, throttled: boolean): Promise<void> {
    const token = await this.issue(user.id, 'verify', user.email, throttled);
    if (token === null) return;
    await this.mailer.send({
      to: user.email,
      subject: 'Verify your email address',
      text: [
        `Welcome, ${user.username}.`,
        `To verify this address, open this link within 24 hours: ${appLink(this.config.appUrl, 'verify-email', token)}`,
        'If you did not create an account, ignore this message.',
      ].join('\n\n'),
    });
    await this.audit.record({ type: AuditEventType.EMAIL_VERIFICATION_SENT, userId: user.id, context });
  }

  /**
   * A new token; earlier unspent ones of the purpose stop. With `throttled`, null when one was issued
   * less than a minute ago (serialised per user, so the rule holds under concurrent requests).
   */
  private issue(userId: string, purpose: EmailTokenPurpose, email: string, throttled: boolean): Promise<string | null> {
    const token = newSecretToken();
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [userId]);
      if (throttled) {
        const recent = await manager.query<unknown[]>(
          `SELECT 1 FROM email_tokens
            WHERE user_id = $1 AND purpose = $2 AND created_at > now() - make_interval(secs => $3)`,
          [userId, purpose, MIN_SECONDS_BETWEEN_MAILS],
        );
        if (recent.length > 0) return null;
      }
      await manager.query('DELETE FROM email_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL', [userId, purpose]);
      await manager.query(
        `INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
        [hashSecret(token), userId, purpose, email, EMAIL_TOKEN_TTL_SECONDS],
      );
      return token;
    });
  }

  private later(task: () => Promise<void>): void {
    setImmediate(() => {
      task().catch((error: unknown) => this.logger.error(`Email mail failed: ${error instanceof Error ? error.message : String(error)}`));
    });
  }
}
