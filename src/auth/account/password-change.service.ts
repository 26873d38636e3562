import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import { RequestContext } from '../../audit/request-context';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { PasswordResetTokensService } from '../../users/passwords/password-reset-tokens.service';
import { UsersService } from '../../users/users.service';
import { CredentialsService } from '../credentials/credentials.service';
import { SecurityNoticesService } from '../notices/security-notices.service';
import { DevicesService } from './devices.service';
import type { Principal } from '../principal';

/** Changing a password with the current one: every other login of the user ends. */
@Injectable()
export class PasswordChangeService {
  constructor(
    private readonly users: UsersService,
    private readonly credentials: CredentialsService,
    private readonly devices: DevicesService,
    private readonly resetTokens: PasswordResetTokensService,
    private readonly audit: AuditService,
    private readonly notices: SecurityNoticesService,
  ) {}

  async change(caller: Principal, currentPassword: string, newPassword: string, context: RequestContext): Promise<void> {
    const user = await this.users.findById(caller.userId);
    if (user === null) throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required');
    await this.credentials.verifyCurrentPassword(user, currentPassword, context);
    const passwordHash = await this.users.hashNewPassword(user, newPassword);
    await this.users.storePasswordHash(user.id, passwordHash);
    await this.resetTokens.voidAll(user.id);
    await this.devices.endAll(user.id, caller.authMethod === 'session' ? { sessionId: caller.loginId } : { familyId: caller.loginId });
    await this.audit.record({ type: AuditEventType.PASSWORD_CHANGED, userId: user.id, context, details: { method: caller.authMethod } });
    this.notices.send('password-changed', user);
  }
}
