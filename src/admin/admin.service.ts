import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-event-type';
import { AuditService } from '../audit/audit.service';
import { RequestContext } from '../audit/request-context';
import { AccountDeletionService, ApiKeysService, DevicesService, MfaService, type Principal } from '../auth';
import { DomainException } from '../common/errors/domain.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ADMIN_ROLE, UserEntity } from '../users/user.entity';
import { UserView } from '../users/user.view';
import { PasswordResetTokensService } from '../users/passwords/password-reset-tokens.service';
import { UsersService } from '../users/users.service';
import { AdminUserView, AuditEventView, AuditQuery, UserPageView } from './dto/admin.dto';

const NO_SUCH_USER = 'No such user';

/** What an admin can do to accounts: list, disable, enable, set roles, read the audit trail. */
@Injectable()
export class AdminService {
  constructor(
    private readonly users: UsersService,
    private readonly devices: DevicesService,
    private readonly audit: AuditService,
    private readonly resetTokens: PasswordResetTokensService,
    private readonly mfa: MfaService,
    private readonly deletion: AccountDeletionService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async listUsers(limit: number, offset: number): Promise<UserPageView> {
    const [users, total] = await this.users.list(limit, offset);
    return { items: users.map(toAdminView), total };
  }

  /** Disabling ends every login of the user at once, in both flavours. */
  async disable(userId: string, admin: Principal, context: RequestContext): Promise<void> {
    this.refuseSelf(userId, admin, 'disable your own account');
    if (!(await this.users.setDisabled(userId, true))) throw new DomainException(ErrorCode.NOT_FOUND, NO_SUCH_USER);
    await this.devices.endAll(userId);
    await this.apiKeys.userStatusChanged(userId);
    await this.resetTokens.voidAll(userId);
    await this.audit.record({ type: AuditEventType.USER_DISABLED, userId, actorId: admin.userId, context });
  }

  async enable(userId: string, admin: Principal, context: RequestContext): Promise<void> {
    if (!(await this.users.setDisabled(userId, false))) throw new DomainException(ErrorCode.NOT_FOUND, NO_SUCH_USER);
    await this.apiKeys.userStatusChanged(userId);
    await this.audit.record({ type: AuditEventType.USER_ENABLED, userId, actorId: admin.userId, context });
  }

  /** Takes effect at once, for sessions and for access tokens issued before (DevicesService.changeRoles). */
  async setRoles(userId: string, roles: string[], admin: Principal, context: RequestContext): Promise<UserView> {
    if (userId === admin.userId && !roles.includes(ADMIN_ROLE)) {
      this.refuseSelf(userId, admin, 'remove your own admin role');
    }
    const user = await this.devices.changeRoles(userId, roles);
    if (user === null) throw new DomainException(ErrorCode.NOT_FOUND, NO_SUCH_USER);
    await this.audit.record({ type: AuditEventType.ROLES_CHANGED, userId, actorId: admin.userId, context, details: { roles: user.roles } });
    return UserView.of(user);
  }

  async deleteUser(userId: string, admin: Principal): Promise<void> {
    if (!(await this.deletion.closeByAdmin(userId, admin))) throw new DomainException(ErrorCode.NOT_FOUND, NO_SUCH_USER);
  }

  async disableMfa(userId: string, admin: Principal, context: RequestContext): Promise<void> {
    if (!(await this.mfa.adminDisable(userId, admin, context))) throw new DomainException(ErrorCode.NOT_FOUND, NO_SUCH_USER);
  }

  async auditEvents(query: AuditQuery): Promise<AuditEventView[]> {
    const events = await this.audit.find(query);
    return events.map((event) => ({
      id: event.id,
      type: event.type,
      userId: event.userId,
      actorId: event.actorId,
      ip: event.ip,
      userAgent: event.userAgent,
      details: event.details,
      createdAt: event.createdAt.toISOString(),
    }));
  }

  /** An admin cannot lock themself out (and so the last admin cannot vanish by accident). */
  private refuseSelf(userId: string, admin: Principal, what: string): void {
    if (userId === admin.userId) throw new DomainException(ErrorCode.SELF_MODIFICATION_REFUSED, `You cannot ${what}`);
  }
}

function toAdminView(user: UserEntity): AdminUserView {
  return Object.assign(new AdminUserView(), UserView.of(user), { disabled: user.disabled });
}
