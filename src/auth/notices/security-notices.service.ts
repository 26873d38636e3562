import { Injectable, Logger } from '@nestjs/common';
import { MailerService } from '../../mail/mailer.service';

export type SecurityNotice =
  'password-changed' | 'email-change-requested' | 'email-changed' | 'mfa-enabled' | 'mfa-disabled' | 'account-closed';

const NOTICES: Readonly<Record<SecurityNotice, { subject: string; text: (username: string) => string }>> = {
  'password-changed': {
    subject: 'Your password was changed',
    text: (username) => `The password of ${username} was just changed. If it was not you, reset your password at once.`,
  },
  'email-change-requested': {
    subject: 'A change of your email address was requested',
    text: (username) =>
      `Someone signed in as ${username} asked to move the account to another email address. ` +
      'Nothing changes until the link sent to the new address is used. If it was not you, change your password.',
  },
  'email-changed': {
    subject: 'Your email address was changed',
    text: (username) => `The email address of ${username} was changed; this address no longer receives its mail.`,
  },
  'mfa-enabled': {
    subject: 'Two-factor authentication is on',
    text: (username) => `Two-factor authentication was turned on for ${username}. Keep your recovery codes somewhere safe.`,
  },
  'mfa-disabled': {
    subject: 'Two-factor authentication is off',
    text: (username) => `Two-factor authentication was turned off for ${username}. If it was not you, change your password.`,
  },
  'account-closed': {
    subject: 'Your account was closed',
    text: (username) => `The account ${username} was closed and its data deleted.`,
  },
};

/**
 * Security notices by mail. Sent after the response (a slow or failing mailer never delays or fails
 * the request) and never carrying a secret: no link, no code, no token.
 */
@Injectable()
export class SecurityNoticesService {
  private readonly logger = new Logger(SecurityNoticesService.name);

  constructor(private readonly mailer: MailerService) {}

  send(notice: SecurityNotice, to: { readonly email: string; readonly username: string }): void {
    const { subject, text } = NOTICES[notice];
    setImmediate(() => {
      this.mailer
        .send({ to: to.email, subject, text: text(to.username) })
        .catch((error: unknown) =>
          this.logger.error(`Security notice "${notice}" failed: ${error instanceof Error ? error.message : String(error)}`),
        );
    });
  }
}
