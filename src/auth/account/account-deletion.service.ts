import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import type { RequestContext } from '../../audit/request-context';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { RevocationService } from '../../tokens/revocation/revocation.service';
import { UsersService } from '../../users/users.service';
import { CredentialsService } from '../credentials/credentials.service';
import { MfaService } from '../mfa/mfa.service';
import { SecurityNoticesService } from '../notices/security-notices.service';
import type { Principal } from '../principal';

/**
 * Closing an account. One transaction revokes every refresh family, stops every access token
 * (tokens-valid-after, NOTIFYed to every instance and kept in `deleted_users` beyond the row),
 * scrubs the personal data of the user's audit events and deletes the user: its sessions, reset and
 * email tokens, recovery codes and MFA challenges go with it (ON DELETE CASCADE). The username and
 * email are free again at once. Audit events stay, keyed by the former id.
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly users: UsersService,
    private readonly credentials: CredentialsService,
    private readonly mfa: MfaService,
    private readonly revocation: RevocationService,
    private readonly notices: SecurityNoticesService,
    private readonly audit: AuditService,
  ) {}

  /** DELETE /auth/account: the current password, and a code when MFA is on. */
  async closeOwn(caller: Principal, currentPassword: string, code: string | undefined, context: RequestContext): Promise<void> {
    const user = await this.users.findById(caller.userId);
    if (user === null) throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required');
    await this.credentials.verifyCurrentPassword(user, currentPassword, context);
    await this.mfa.assertCode(user, code, context);
    await this.delete(user.id);
    await this.audit.record({ type: AuditEventType.ACCOUNT_DELETED, userId: user.id });
    this.notices.send('account-closed', user);
  }

  /** DELETE /admin/users/:id. False when there is no such user; an admin cannot delete themself (409). */
  async closeByAdmin(userId: string, admin: Principal): Promise<boolean> {
    if (userId === admin.userId) throw new DomainException(ErrorCode.SELF_MODIFICATION_REFUSED, 'You cannot delete your own account');
    const user = await this.users.findById(userId);
    if (user === null || !(await this.delete(userId))) return false;
    await this.audit.record({ type: AuditEventType.ACCOUNT_DELETED, userId, actorId: admin.userId, details: { by: 'admin' } });
    this.notices.send('account-closed', user);
    return true;
  }

  private delete(userId: string): Promise<boolean> {
    return this.revocation.closeAccount(userId, async (manager) => {
      await manager.query('UPDATE auth_events SET ip = NULL, user_agent = NULL WHERE user_id = $1', [userId]);
      return this.users.deleteRow(userId, manager);
    });
  }
}
