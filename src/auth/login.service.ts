import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event-type';
import { AuditService } from '../audit/audit.service';
import { RequestContext } from '../audit/request-context';
import { DomainException } from '../common/errors/domain.exception';
import { ErrorCode } from '../common/errors/error-code';
import { UserEntity } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { LoginThrottleService } from './throttling/login-throttle.service';

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid username or password';

/** Credential checks for both flavours: throttled per account, audited, one answer for every failure. */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditService,
  ) {}

  async verify(login: string, password: string, context: RequestContext): Promise<UserEntity> {
    await this.throttle.admit(login);
    const check = await this.users.verifyCredentials(login, password);
    if (!check.ok) {
      await this.throttle.recordFailure(login);
      await this.audit.record({ type: AuditEventType.LOGIN_FAILED, userId: check.userId, context, details: { reason: check.reason } });
      throw new DomainException(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS_MESSAGE);
    }
    await this.throttle.recordSuccess(login);
    return check.user;
  }

  recordSuccess(user: UserEntity, method: 'session' | 'jwt', context: RequestContext): Promise<void> {
    return this.audit.record({ type: AuditEventType.LOGIN_SUCCEEDED, userId: user.id, context, details: { method } });
  }
}
