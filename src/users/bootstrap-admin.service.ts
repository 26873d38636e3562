import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ArrayContains, Repository } from 'typeorm';
import { DomainException } from '../common/errors/domain.exception';
import { ErrorCode } from '../common/errors/error-code';
import { AppConfig } from '../config/app-config';
import { ADMIN_ROLE, USER_ROLE, UserEntity } from './user.entity';
import { UsersService } from './users.service';

/**
 * Creates the BOOTSTRAP_ADMIN_* account at start when no admin exists. There is no default account:
 * without those variables nothing is created, and the password must pass the policy.
 */
@Injectable()
export class BootstrapAdminService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapAdminService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    @InjectRepository(UserEntity) private readonly userRepository: Repository<UserEntity>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.bootstrapAdmin;
    if (admin === undefined || (await this.adminExists())) return;
    try {
      const created = await this.users.create({ ...admin, roles: [USER_ROLE, ADMIN_ROLE] });
      this.logger.log(`Created the bootstrap admin "${created.username}"`);
    } catch (error) {
      // Another instance starting at the same moment may have created it.
      if (await this.adminExists()) return;
      const reason = error instanceof DomainException ? error.message : String(error);
      const hint =
        error instanceof DomainException && error.code === ErrorCode.WEAK_PASSWORD ? 'BOOTSTRAP_ADMIN_PASSWORD' : 'BOOTSTRAP_ADMIN_*';
      throw new Error(`Cannot create the bootstrap admin (${hint}): ${reason}`, { cause: error });
    }
  }

  private async adminExists(): Promise<boolean> {
    return (await this.userRepository.countBy({ roles: ArrayContains([ADMIN_ROLE]) })) > 0;
  }
}
