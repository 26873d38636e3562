import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestContext } from '../../audit/request-context';
import { AppConfig } from '../../config/app-config';
import { UserEntity } from '../../users/user.entity';
import { UserView } from '../../users/user.view';
import { CookieSessionService } from '../cookie-session/cookie-session.service';
import { CookieTokensView } from '../jwt/cookie-tokens.view';
import { setJwtCookies } from '../jwt/jwt-cookies';
import { IssuedTokens, JwtLoginService } from '../jwt/jwt-login.service';
import { TokenPairView } from '../jwt/token-pair.view';
import { CredentialsService } from './credentials.service';
import type { LoginFlavour } from './login-flavour.decorator';

export interface SessionLoginAnswer {
  readonly user: UserView;
  readonly csrfToken: string;
}

/**
 * The end of a login whose credentials (and second factor) are proven: the one code path of both
 * login routes and of POST /auth/mfa/verify, so a login completed after MFA answers exactly as it
 * would have without.
 */
@Injectable()
export class LoginCompletionService {
  constructor(
    private readonly sessions: CookieSessionService,
    private readonly jwtLogins: JwtLoginService,
    private readonly credentials: CredentialsService,
    private readonly config: AppConfig,
  ) {}

  complete(
    flavour: LoginFlavour,
    account: UserEntity,
    remember: boolean,
    request: Request,
    response: Response,
  ): Promise<SessionLoginAnswer | TokenPairView | CookieTokensView> {
    return flavour === 'session'
      ? this.session(account, remember, request, response)
      : this.jwt(account, flavour, remember, request, response);
  }

  /** A new session (new id, no fixation) and its CSRF token; the `sid` cookie is set. */
  async session(account: UserEntity, remember: boolean, request: Request, response: Response): Promise<SessionLoginAnswer> {
    const csrfToken = await this.sessions.start(request, response, account.id, { remember });
    await this.credentials.confirm(account, 'session', requestContext(request), () => this.sessions.end(request));
    return { user: UserView.of(account), csrfToken };
  }

  /** A new refresh family: the pair in the body, or the cookies (`jwt-cookie`). */
  async jwt(
    account: UserEntity,
    flavour: Exclude<LoginFlavour, 'session'>,
    remember: boolean,
    request: Request,
    response: Response,
  ): Promise<TokenPairView | CookieTokensView> {
    const tokens = await this.jwtLogins.start(account, requestContext(request), { remember });
    await this.credentials.confirm(account, 'jwt', requestContext(request), () => this.jwtLogins.abandon(tokens.familyId));
    return flavour === 'jwt-cookie' ? this.answerWithCookies(response, tokens) : tokenPair(tokens);
  }

  /** The cookie transport's answer (login and refresh): tokens in HttpOnly cookies, the CSRF token in the body. */
  answerWithCookies(response: Response, tokens: IssuedTokens): CookieTokensView {
    const csrfToken = this.jwtLogins.issueCsrfToken(tokens.familyId);
    setJwtCookies(
      response,
      {
        accessToken: tokens.accessToken,
        accessTokenMaxAge: tokens.expiresIn,
        refreshToken: tokens.refreshToken,
        refreshTokenMaxAge: tokens.refreshExpiresIn,
        csrfToken,
      },
      this.config,
    );
    return Object.assign(new CookieTokensView(), { tokenType: 'Bearer' as const, expiresIn: tokens.expiresIn, csrfToken });
  }
}

export function tokenPair(tokens: IssuedTokens): TokenPairView {
  return Object.assign(new TokenPairView(), {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    tokenType: 'Bearer' as const,
    expiresIn: tokens.expiresIn,
    refreshExpiresIn: tokens.refreshExpiresIn,
  });
}
