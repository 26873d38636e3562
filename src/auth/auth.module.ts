import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { AccountController } from './account/account.controller';
import { AccountDeletionService } from './account/account-deletion.service';
import { LoginCompletionService } from './credentials/login-completion.service';
import { EmailVerificationController } from './email-verification/email-verification.controller';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { MfaChallengesService } from './mfa/mfa-challenges.service';
import { MfaController } from './mfa/mfa.controller';
import { MfaService } from './mfa/mfa.service';
import { TotpSecretCipher } from './mfa/totp-secret-cipher';
import { TotpSecretReencryption } from './mfa/totp-secret-reencryption';
import { SecurityNoticesService } from './notices/security-notices.service';
import { ApiKeyEntity } from './api-keys/api-key.entity';
import { ApiKeyGuard } from './api-keys/api-key.guard';
import { ApiKeyRegistry } from './api-keys/api-key-registry';
import { ApiKeySecret } from './api-keys/api-key-secret';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeysService } from './api-keys/api-keys.service';
import { DevicesService } from './account/devices.service';
import { PasswordChangeService } from './account/password-change.service';
import { CookieSessionController } from './cookie-session/cookie-session.controller';
import { CookieSessionService } from './cookie-session/cookie-session.service';
import { SessionCacheInvalidation } from './cookie-session/session-cache-invalidation';
import { SessionGuard } from './cookie-session/session.guard';
import { SessionMiddleware } from './cookie-session/session.middleware';
import { CredentialsService } from './credentials/credentials.service';
import { LocalAuthGuard } from './credentials/local-auth.guard';
import { LocalStrategy } from './credentials/local.strategy';
import { LoginOriginGuard } from './credentials/login-origin.guard';
import { CsrfTokenService } from './csrf/csrf-token.service';
import { RolesGuard } from './guards/roles.guard';
import { SessionOrJwtGuard } from './guards/session-or-jwt.guard';
import { JwtLoginService } from './jwt/jwt-login.service';
import { JwtController } from './jwt/jwt.controller';
import { JwtGuard } from './jwt/jwt.guard';
import { JwtStrategy } from './jwt/jwt.strategy';
import { JwksController } from './jwks/jwks.controller';
import { IntrospectionController } from './introspection/introspection.controller';
import { IntrospectionService } from './introspection/introspection.service';
import { PasswordResetController } from './password-reset/password-reset.controller';
import { PasswordResetService } from './password-reset/password-reset.service';
import { RegistrationController } from './registration/registration.controller';
import { RegistrationService } from './registration/registration.service';
import { IpThrottleGuard } from './throttling/ip-throttle.guard';
import { LoginFailureEntity } from './throttling/login-failure.entity';
import { LoginFailuresPruner } from './throttling/login-failures.pruner';
import { LoginThrottleService } from './throttling/login-throttle.service';

/**
 * Authentication for product controllers: import it into a product module, then guard its
 * controllers with `SessionGuard` (browsers, cookie session), `JwtGuard` (SPAs, mobile apps,
 * services) or `SessionOrJwtGuard` (either), add `RolesGuard` with `@Roles(...)` to authorize,
 * and read the caller with `@CurrentUser()`. Everything a product module needs comes from
 * `src/auth/index.ts`. AuthModule also mounts the cookie-session middleware, which it owns.
 *
 * @example
 * import { AuthModule, JwtGuard } from '../auth';
 *
 * @Module({ imports: [AuthModule], controllers: [ReportsController] })
 * export class ReportsModule {}
 *
 * @Controller('reports')
 * @UseGuards(JwtGuard)
 * export class ReportsController {}
 */
@Module({
  imports: [
    PassportModule,
    UsersModule,
    TokensModule,
    AuditModule,
    MailModule,
    TypeOrmModule.forFeature([LoginFailureEntity, ApiKeyEntity]),
  ],
  controllers: [
    RegistrationController,
    CookieSessionController,
    JwtController,
    PasswordResetController,
    AccountController,
    EmailVerificationController,
    MfaController,
    JwksController,
    ApiKeysController,
    IntrospectionController,
  ],
  providers: [
    RegistrationService,
    CredentialsService,
    LocalStrategy,
    LocalAuthGuard,
    LoginOriginGuard,
    LoginThrottleService,
    LoginFailuresPruner,
    IpThrottleGuard,
    SessionMiddleware,
    SessionCacheInvalidation,
    CookieSessionService,
    SessionGuard,
    CsrfTokenService,
    JwtLoginService,
    JwtStrategy,
    JwtGuard,
    SessionOrJwtGuard,
    RolesGuard,
    DevicesService,
    PasswordChangeService,
    PasswordResetService,
    LoginCompletionService,
    SecurityNoticesService,
    EmailVerificationService,
    TotpSecretCipher,
    TotpSecretReencryption,
    MfaChallengesService,
    MfaService,
    AccountDeletionService,
    ApiKeySecret,
    ApiKeyRegistry,
    ApiKeysService,
    ApiKeyGuard,
    IntrospectionService,
  ],
  exports: [
    SessionGuard,
    JwtGuard,
    SessionOrJwtGuard,
    RolesGuard,
    CookieSessionService,
    DevicesService,
    MfaService,
    AccountDeletionService,
    ApiKeyGuard,
    ApiKeysService,
  ],
})
export class AuthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionMiddleware).forRoutes('*path');
  }
}
