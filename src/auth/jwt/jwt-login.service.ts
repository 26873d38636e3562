import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { Clock } from '../../common/clock/clock';
import { PG_FOREIGN_KEY_VIOLATION, pgErrorCode } from '../../common/errors/database-errors';
import { AppConfig } from '../../config/app-config';
import { invalidAccessToken } from './invalid-access-token';
import { AccessTokenService } from '../../tokens/access/access-token.service';
import { CsrfTokenService } from '../csrf/csrf-token.service';
import type { RequestContext } from '../../audit/request-context';
import { IssuedRefreshToken, RefreshTokenService } from '../../tokens/refresh/refresh-token.service';
import { UserEntity } from '../../users/user.entity';
import { RevocationService } from '../../tokens/revocation/revocation.service';
import { UserView } from '../../users/user.view';
import { UsersService } from '../../users/users.service';
import { assertJwtCsrf } from '../csrf/csrf-checks';
import type { Principal } from '../principal';

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds. */
  readonly expiresIn: number;
  /** Seconds until the login's absolute expiry. */
  readonly refreshExpiresIn: number;
  readonly familyId: string;
}

/** JWT logins (refresh families with their access tokens): started, refreshed, ended. Orchestration only. */
@Injectable()
export class JwtLoginService {
  constructor(
    private readonly users: UsersService,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly revocation: RevocationService,
    private readonly csrf: CsrfTokenService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Starts a new login (refresh family) for a user whose credentials LocalStrategy verified. With
   * `remember: false` the family lives at most SESSION_ABSOLUTE_TIMEOUT.
   */
  async start(user: UserEntity, client: RequestContext, options: { readonly remember?: boolean } = {}): Promise<IssuedTokens> {
    const ttl =
      options.remember === false
        ? Math.min(this.config.jwtRefreshTtlSeconds, this.config.sessionAbsoluteTimeoutSeconds)
        : this.config.jwtRefreshTtlSeconds;
    const refresh = await this.refreshTokens.startFamily(user.id, client, ttl);
    return this.withAccessToken(refresh, user.roles);
  }

  /** Revokes a login just started whose credentials changed meanwhile (its access token included). */
  abandon(familyId: string): Promise<void> {
    return this.revocation.revokeFamily(familyId);
  }

  /**
   * Rotates the refresh token; the user is read in the rotation's transaction, so no failure after
   * the spend can leave the client without its successor. `idempotencyKey` makes it retryable.
   */
  async refresh(refreshToken: string, client: RequestContext, idempotencyKey?: string): Promise<IssuedTokens> {
    const refresh = await this.refreshTokens.rotate(refreshToken, client, idempotencyKey);
    if (refresh.userDisabled) {
      await this.revocation.revokeFamily(refresh.familyId);
      throw new DomainException(ErrorCode.INVALID_TOKEN, 'Invalid or expired refresh token');
    }
    return this.withAccessToken(refresh, refresh.roles);
  }

  /** Cookie transport: the CSRF token must belong to the token's login, checked before anything is spent. */
  async refreshFromCookie(refreshToken: string, request: Request, client: RequestContext, idempotencyKey?: string): Promise<IssuedTokens> {
    const owner = await this.refreshTokens.findOwner(refreshToken);
    if (owner === undefined) throw new DomainException(ErrorCode.INVALID_TOKEN, 'Invalid or expired refresh token');
    assertJwtCsrf(request, owner.familyId, this.csrf);
    return this.refresh(refreshToken, client, idempotencyKey);
  }

  issueCsrfToken(familyId: string): string {
    return this.csrf.issue(familyId);
  }

  /**
   * A fresh CSRF token for the caller's cookie login (GET /auth/jwt/csrf), with the seconds its
   * cookie lives: as long as the login (refresh family) does. A Bearer caller needs none: 403.
   */
  async reissueCsrfToken(principal: Principal): Promise<{ csrfToken: string; maxAgeSeconds: number }> {
    if (principal.credential !== 'cookie') {
      throw new DomainException(ErrorCode.FORBIDDEN, 'CSRF tokens belong to the cookie transport; a Bearer request needs none');
    }
    const family = (await this.refreshTokens.listFamilies(principal.userId)).find((row) => row.id === principal.loginId);
    if (family === undefined) throw new DomainException(ErrorCode.INVALID_TOKEN, 'This login has ended');
    const maxAgeSeconds = Math.max(0, Math.round((family.expiresAt.getTime() - this.clock.now()) / 1000));
    return { csrfToken: this.csrf.issue(principal.loginId), maxAgeSeconds };
  }

  /** Stops the presented access token and its login at once; also the login of `refreshToken`, if the caller's. */
  async logout(principal: Principal, refreshToken?: string): Promise<void> {
    if (principal.accessToken !== undefined) {
      // The blocklist row references the user: a foreign-key failure is the database saying the user is gone.
      await this.revocation
        .revokeAccessToken(principal.accessToken.jti, principal.userId, principal.accessToken.exp)
        .catch((error: unknown) => {
          throw pgErrorCode(error) === PG_FOREIGN_KEY_VIOLATION ? invalidAccessToken() : error;
        });
    }
    await this.revocation.revokeFamily(principal.loginId);
    const other = refreshToken === undefined ? undefined : await this.refreshTokens.findOwner(refreshToken);
    if (other !== undefined && other.userId === principal.userId && other.familyId !== principal.loginId) {
      await this.revocation.revokeFamily(other.familyId);
    }
  }

  async currentUser(principal: Principal): Promise<UserView> {
    const user = await this.users.findById(principal.userId);
    if (user === null) throw invalidAccessToken();
    return UserView.of(user);
  }

  private withAccessToken(refresh: IssuedRefreshToken, roles: readonly string[]): IssuedTokens {
    const access = this.accessTokens.issue({ userId: refresh.userId, roles, familyId: refresh.familyId });
    return {
      accessToken: access.token,
      refreshToken: refresh.token,
      expiresIn: access.expiresIn,
      refreshExpiresIn: refresh.expiresIn,
      familyId: refresh.familyId,
    };
  }
}
