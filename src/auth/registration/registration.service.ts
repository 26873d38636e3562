import { Injectable } from '@nestjs/common';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import { RequestContext } from '../../audit/request-context';
import { UserView } from '../../users/user.view';
import { UsersService } from '../../users/users.service';
import { EmailVerificationService } from '../email-verification/email-verification.service';
import { RegisterDto } from './register.dto';

/** Registration: creates the user and audits it. */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly emails: EmailVerificationService,
  ) {}

  async register(input: RegisterDto, context: RequestContext): Promise<UserView> {
    const user = await this.users.create({ username: input.username, email: input.email, password: input.password });
    await this.audit.record({ type: AuditEventType.REGISTER, userId: user.id, context });
    this.emails.sendAfterRegistration(user, context);
    return UserView.of(user);
  }
}
