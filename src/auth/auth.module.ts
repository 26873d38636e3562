import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { UsersModule } from '../users/users.module';
import { AuthService } from './auth.service';
import { RegistrationController } from './controllers/registration.controller';
import { SessionAuthController } from './controllers/session-auth.controller';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { LoginOriginGuard } from './guards/login-origin.guard';
import { SessionGuard } from './guards/session.guard';
import { SessionAuthenticator } from './sessions/session-authenticator';
import { SessionLoginService } from './sessions/session-login.service';
import { LocalStrategy } from './strategies/local.strategy';
import { LoginService } from './login.service';
import { LoginFailureEntity } from './throttling/login-failure.entity';
import { LoginThrottleService } from './throttling/login-throttle.service';

/**
 * Authentication for product controllers: import it into a product module, then guard its
 * controllers with `SessionGuard` (browsers, cookie session) and use `@CurrentUser()`.
 *
 * @example
 * @Module({ imports: [AuthModule], controllers: [ReportsController] })
 * export class ReportsModule {}
 */
@Module({
  imports: [UsersModule, AuditModule, PassportModule, TypeOrmModule.forFeature([LoginFailureEntity])],
  controllers: [RegistrationController, SessionAuthController],
  providers: [
    AuthService,
    LoginService,
    LoginThrottleService,
    LocalStrategy,
    LocalAuthGuard,
    LoginOriginGuard,
    SessionAuthenticator,
    SessionLoginService,
    SessionGuard,
  ],
  exports: [SessionGuard, SessionAuthenticator],
})
export class AuthModule {}
