import { Injectable, Logger } from '@nestjs/common';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import { RequestContext } from '../../audit/request-context';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { AppConfig } from '../../config/app-config';
import { appLink } from '../../common/http/app-link';
import { escapeHtml } from '../../mail/escape-html';
import { MailerService } from '../../mail/mailer.service';
import { SecurityNoticesService } from '../notices/security-notices.service';
import { PasswordResetTokensService } from '../../users/passwords/password-reset-tokens.service';
import { UsersService } from '../../users/users.service';
import { DevicesService } from '../account/devices.service';

const INVALID_TOKEN_MESSAGE = 'The reset link is invalid, used or expired';

/** Forgot-password and reset, per the OWASP Forgot Password cheat sheet. */
@Injectable()
export class PasswordResetService {
  private readonly logger = new Logger(PasswordResetService.name);

  constructor(
    private readonly users: UsersService,
    private readonly resetTokens: PasswordResetTokensService,
    private readonly mailer: MailerService,
    private readonly devices: DevicesService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly notices: SecurityNoticesService,
  ) {}

  /**
   * Returns at once, the same way whether or not the email is registered: the look-up, the token
   * and the mail happen after the response, so neither the answer nor its timing tells.
   */
  requestReset(email: string, context: RequestContext): void {
    setImmediate(() => {
      this.sendResetMail(email, context).catch((error: unknown) =>
        this.logger.error(`Password-reset mail failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    });
  }

  /** Spends the token, sets the new password and ends every login of the user. */
  async reset(token: string, newPassword: string, context: RequestContext): Promise<void> {
    const userId = await this.resetTokens.findUserId(token);
    const user = userId === null ? null : await this.users.findById(userId);
    if (user === null || user.disabled) throw new DomainException(ErrorCode.INVALID_RESET_TOKEN, INVALID_TOKEN_MESSAGE);
    // The policy is checked before the token is spent, so a refused password does not burn the link.
    const passwordHash = await this.users.hashNewPassword(user, newPassword);
    if ((await this.resetTokens.spend(token)) !== user.id) {
      throw new DomainException(ErrorCode.INVALID_RESET_TOKEN, INVALID_TOKEN_MESSAGE);
    }
    await this.users.storePasswordHash(user.id, passwordHash);
    await this.devices.endAll(user.id);
    await this.audit.record({ type: AuditEventType.PASSWORD_RESET, userId: user.id, context });
    this.notices.send('password-changed', user);
  }

  private async sendResetMail(email: string, context: RequestContext): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (user === null || user.disabled) return;
    const token = await this.resetTokens.issue(user.id);
    if (token === null) return;
    const link = appLink(this.config.appUrl, 'reset-password', token);
    await this.mailer.send({
      to: user.email,
      subject: 'Reset your password',
      text: [
        `Someone asked to reset the password of ${user.username}.`,
        'To choose a new password, open this link within 30 minutes:',
        link.toString(),
        'If it was not you, ignore this message: your password stays as it is.',
      ].join('\n\n'),
      html: [
        `<p>Someone asked to reset the password of ${escapeHtml(user.username)}.</p>`,
        `<p><a href="${escapeHtml(link.toString())}">Choose a new password</a> (the link works for 30 minutes).</p>`,
        '<p>If it was not you, ignore this message: your password stays as it is.</p>',
      ].join('\n'),
    });
    await this.audit.record({ type: AuditEventType.PASSWORD_RESET_REQUESTED, userId: user.id, context });
  }
}
