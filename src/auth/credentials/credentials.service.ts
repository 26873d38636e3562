import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import { RequestContext } from '../../audit/request-context';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { AppConfig } from '../../config/app-config';
import { UserEntity } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
import { LoginThrottleService } from '../throttling/login-throttle.service';

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid username or password';

/** Checks a username-or-email and password for both flavours: throttled per account, audited, one answer for every failure. */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Throttled per account (the user id when the name is known, so username and email share one
   * count), audited, and answered identically for every failure.
   */
  async verify(login: string, password: string, context: RequestContext): Promise<UserEntity> {
    const found = await this.users.findByLogin(login);
    const throttleKey = found?.id ?? `name:${login.toLowerCase()}`;
    await this.throttle.admit(throttleKey);
    const check = await this.users.checkPassword(found, password);
    if (!check.ok) {
      await this.throttle.recordFailure(throttleKey);
      await this.audit.record({ type: AuditEventType.LOGIN_FAILED, userId: check.userId, context, details: { reason: check.reason } });
      throw new DomainException(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS_MESSAGE);
    }
    if (this.config.requireEmailVerification && !check.user.emailVerified) {
      await this.throttle.recordSuccess(throttleKey);
      await this.audit.record({
        type: AuditEventType.LOGIN_FAILED,
        userId: check.user.id,
        context,
        details: { reason: 'email_not_verified' },
      });
      throw new DomainException(ErrorCode.EMAIL_NOT_VERIFIED, 'Verify your email address first: follow the link sent to it');
    }
    // With MFA on, the count stands until the second factor is right too: the password alone does not reset it.
    if (!check.user.mfaEnabled) await this.throttle.recordSuccess(throttleKey);
    return check.user;
  }

  /**
   * Re-authentication of a signed-in user (password change): the same per-account throttle and
   * audit as a login, so a stolen session cannot guess the password at leisure.
   */
  async verifyCurrentPassword(user: UserEntity, password: string, context: RequestContext): Promise<void> {
    await this.throttle.admit(user.id);
    const check = await this.users.checkPassword(user, password);
    if (!check.ok) {
      await this.throttle.recordFailure(user.id);
      await this.audit.record({
        type: AuditEventType.LOGIN_FAILED,
        userId: user.id,
        context,
        details: { reason: check.reason, during: 'password_change' },
      });
      throw new DomainException(ErrorCode.INVALID_CREDENTIALS, 'The current password is wrong');
    }
    await this.throttle.recordSuccess(user.id);
  }

  /**
   * Called once the new login exists. When a password change, reset or disable landed since the
   * credentials were checked, `undo` ends the login just created and the answer is the usual 401;
   * otherwise the success is audited.
   */
  async confirm(user: UserEntity, method: 'session' | 'jwt', context: RequestContext, undo: () => Promise<void>): Promise<void> {
    if (!(await this.users.credentialsStillValid(user.id, user.passwordHash))) {
      await undo();
      throw new DomainException(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS_MESSAGE);
    }
    await this.audit.record({ type: AuditEventType.LOGIN_SUCCEEDED, userId: user.id, context, details: { method } });
  }
}
