import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { MailModule } from '../mail/mail.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AuthService } from './registration/registration.service';
import { AccountController } from './account/account.controller';
import { JwtAuthController } from './jwt/jwt.controller';
import { PasswordController } from './password-reset/password-reset.controller';
import { RegistrationController } from './registration/registration.controller';
import { SessionAuthController } from './cookie-session/cookie-session.controller';
import { JwtGuard } from './jwt/jwt.guard';
import { LocalAuthGuard } from './credentials/local-auth.guard';
import { LoginOriginGuard } from './credentials/login-origin.guard';
import { RolesGuard } from './guards/roles.guard';
import { SessionOrJwtGuard } from './guards/session-or-jwt.guard';
import { SessionGuard } from './cookie-session/session.guard';
import { JwtAuthService } from './jwt/jwt-login.service';
import { JwtAuthenticator } from './jwt/jwt-authenticator';
import { SessionAuthenticator } from './cookie-session/session-authenticator';
import { SessionLoginService } from './cookie-session/cookie-session.service';
import { JwtStrategy } from './jwt/jwt.strategy';
import { LocalStrategy } from './credentials/local.strategy';
import { LoginService } from './credentials/credentials.service';
import { LoginsService } from './account/devices.service';
import { PasswordChangeService } from './account/password-change.service';
import { PasswordResetService } from './password-reset/password-reset.service';
import { ipRateLimit } from './throttling/ip-rate-limit.middleware';
import { LoginFailureEntity } from './throttling/login-failure.entity';
import { LoginFailuresPruner } from './throttling/login-failures.pruner';
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
 * controllers with `SessionGuard` (browsers, cookie session), `JwtGuard` (SPAs, mobile apps,
 * services) or `SessionOrJwtGuard` (either), add `RolesGuard` with `@Roles(...)` to authorize,
 * and read the caller with `@CurrentUser()`.
 *
 * @example
 * @Module({ imports: [AuthModule], controllers: [ReportsController] })
 * export class ReportsModule {}
 *
 * @Controller('reports')
 * @UseGuards(JwtGuard)
 * export class ReportsController {}
 */
@Module({
  imports: [UsersModule, TokensModule, AuditModule, MailModule, TypeOrmModule.forFeature([LoginFailureEntity])],
  controllers: [RegistrationController, SessionAuthController, JwtAuthController, PasswordController, AccountController],
  providers: [
    AuthService,
    LoginService,
    LoginsService,
    PasswordResetService,
    PasswordChangeService,
    LoginThrottleService,
    LoginFailuresPruner,
    LocalStrategy,
    LocalAuthGuard,
    LoginOriginGuard,
    SessionAuthenticator,
    SessionLoginService,
    SessionGuard,
    JwtAuthService,
    JwtStrategy,
    JwtAuthenticator,
    JwtGuard,
    SessionOrJwtGuard,
    RolesGuard,
  ],
  exports: [SessionGuard, JwtGuard, SessionOrJwtGuard, RolesGuard, SessionAuthenticator, JwtAuthenticator, LoginsService],
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
