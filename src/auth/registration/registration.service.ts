import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import { RequestContext } from '../../audit/request-context';
import { UserView } from '../../users/user.view';
import { UsersService } from '../../users/users.service';
import { RegisterDto } from './register.dto';

/** Orchestrates registration over the users service and the audit trail. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  async register(input: RegisterDto, context: RequestContext): Promise<UserView> {
    const user = await this.users.create({ username: input.username, email: input.email, password: input.password });
    await this.audit.record({ type: AuditEventType.REGISTER, userId: user.id, context });
    return UserView.of(user);
  }
}
