import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { AppConfig } from '../config/app-config';
import { UsersModule } from '../users/users.module';
import { AuthService } from './auth.service';
import { PasswordController } from './controllers/password.controller';
import { RegistrationController } from './controllers/registration.controller';
import { SessionAuthController } from './controllers/session-auth.controller';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { LoginOriginGuard } from './guards/login-origin.guard';
import { SessionGuard } from './guards/session.guard';
import { SessionAuthenticator } from './sessions/session-authenticator';
import { SessionLoginService } from './sessions/session-login.service';
import { LocalStrategy } from './strategies/local.strategy';
import { LoginService } from './login.service';
import { LoginsService } from './logins/logins.service';
import { PasswordResetService } from './passwords/password-reset.service';
import { ipRateLimit } from './throttling/ip-rate-limit.middleware';
import { LoginFailureEntity } from './throttling/login-failure.entity';
import { LoginThrottleService } from './throttling/login-throttle.service';

const RATE_LIMITED_PATHS = [
  'auth/register',
  'auth/session/login',
  'auth/jwt/login',
  'auth/jwt/refresh',
  'auth/password/change',
  'auth/password/forgot',
  'auth/password/reset',
];

/**
 * Authentication for product controllers: import it into a product module, then guard its
 * controllers with `SessionGuard` (browsers, cookie session) and use `@CurrentUser()`.
 *
 * @example
 * @Module({ imports: [AuthModule], controllers: [ReportsController] })
 * export class ReportsModule {}
 */
@Module({
  imports: [UsersModule, AuditModule, MailModule, TypeOrmModule.forFeature([LoginFailureEntity])],
  controllers: [RegistrationController, SessionAuthController, PasswordController],
  providers: [
    AuthService,
    LoginService,
    LoginsService,
    PasswordResetService,
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
export class AuthModule implements NestModule {
  constructor(private readonly config: AppConfig) {}

  /** Each credential endpoint gets its own per-IP budget. */
  configure(consumer: MiddlewareConsumer): void {
    for (const path of RATE_LIMITED_PATHS) {
      consumer.apply(ipRateLimit(this.config)).forRoutes({ path, method: RequestMethod.POST });
    }
  }
}
