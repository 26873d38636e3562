import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PasswordResetTokenEntity } from './passwords/password-reset-token.entity';
import { SessionEntity } from './sessions/session.entity';
import { UserEntity } from './user.entity';
import { BootstrapAdminService } from './bootstrap-admin.service';
import { PasswordHasher } from './passwords/password-hasher.service';
import { PasswordPolicy } from './passwords/password-policy.service';
import { PasswordResetTokensService } from './passwords/password-reset-tokens.service';
import { PostgresSessionStore } from './sessions/postgres-session.store';
import { SessionCache } from './sessions/session-cache';
import { SessionsService } from './sessions/sessions.service';
import { UsersExpiredRowsPruner } from './users-expired-rows.pruner';
import { UsersService } from './users.service';

/** Users, their credentials and their cookie sessions. Exports services only, never repositories. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, SessionEntity, PasswordResetTokenEntity])],
  providers: [
    BootstrapAdminService,
    UsersExpiredRowsPruner,
    UsersService,
    PasswordHasher,
    PasswordPolicy,
    SessionCache,
    PostgresSessionStore,
    SessionsService,
    PasswordResetTokensService,
  ],
  exports: [UsersService, SessionCache, PostgresSessionStore, SessionsService, PasswordResetTokensService],
})
export class UsersModule {}
