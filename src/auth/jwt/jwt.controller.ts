import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiExtraModels,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { AppConfig } from '../../config/app-config';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import { requestContext } from '../../audit/request-context';
import { UserEntity } from '../../users/user.entity';
import { UserView } from '../../users/user.view';
import { CurrentUser } from '../guards/current-user.decorator';
import { LoginBody } from '../credentials/login-body.decorator';
import { CookieTokensView } from './cookie-tokens.view';
import { JwtLoginDto } from './jwt-login.dto';
import { JwtLogoutDto } from './jwt-logout.dto';
import { RefreshTokenDto } from './refresh-token.dto';
import { TokenPairView } from './token-pair.view';
import { JwtGuard } from './jwt.guard';
import { LocalAuthGuard } from '../credentials/local-auth.guard';
import { LoginOriginGuard } from '../credentials/login-origin.guard';
import { LoginSetsCookie } from '../credentials/login-sets-cookie.decorator';
import { CSRF_HEADER } from '../csrf/csrf-header';
import { LoginCompletionService, tokenPair } from '../credentials/login-completion.service';
import { LoginFlavourOf, rememberOf } from '../credentials/login-flavour.decorator';
import { VerifiedAccount } from '../credentials/verified-account.decorator';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { JwtLoginService } from './jwt-login.service';
import { readIdempotencyKey } from './idempotency-key';
import { ACCESS_TOKEN_COOKIE, clearJwtCookies, readCookie, REFRESH_TOKEN_COOKIE, setCsrfCookie } from './jwt-cookies';
import type { Principal } from '../principal';

class CsrfTokenView {
  @ApiProperty({ description: 'Send it as X-CSRF-Token on unsafe requests (also in the csrf_token cookie)' }) csrfToken!: string;
}

const TOKENS_RESPONSE = {
  description: 'Body transport: the token pair. Cookie transport: tokens in cookies, the CSRF token in the body.',
  schema: { oneOf: [{ $ref: getSchemaPath(TokenPairView) }, { $ref: getSchemaPath(CookieTokensView) }] },
};

@ApiTags('auth: JWT')
@ApiExtraModels(TokenPairView, CookieTokensView)
@Controller('auth/jwt')
export class JwtController {
  constructor(
    private readonly jwtLogins: JwtLoginService,
    private readonly completion: LoginCompletionService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard, LoginOriginGuard, LocalAuthGuard)
  @LoginBody(JwtLoginDto)
  @LoginSetsCookie((body) => body.transport === 'cookie')
  @LoginFlavourOf((body) => (body.transport === 'cookie' ? 'jwt-cookie' : 'jwt-body'))
  @ApiOkResponse({
    description:
      '`transport: "body"` (default): the token pair, no cookie. `transport: "cookie"`: `{tokenType, expiresIn, csrfToken}` in the body; ' +
      'the `access_token`, `refresh_token` (HttpOnly) and `csrf_token` cookies are set.',
    schema: TOKENS_RESPONSE.schema,
  })
  @ApiBadRequestResponse({ description: 'Invalid body' })
  @ApiUnauthorizedResponse({
    description: 'Invalid username or password; or MFA_REQUIRED with an `mfaToken` (complete at POST /auth/mfa/verify)',
  })
  @ApiForbiddenResponse({
    description:
      'Cookie transport only (login CSRF): an `Origin` outside CORS_ORIGINS, or `Sec-Fetch-Site: cross-site` without a listed `Origin`. No cookie is set.',
  })
  async login(
    @Body() body: JwtLoginDto,
    @VerifiedAccount() account: UserEntity,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokenPairView | CookieTokensView> {
    return this.completion.jwt(account, body.transport === 'cookie' ? 'jwt-cookie' : 'jwt-body', rememberOf(body), request, response);
  }

  @Get('me')
  @UseGuards(JwtGuard)
  @ApiBearerAuth()
  @ApiCookieAuth(ACCESS_TOKEN_COOKIE)
  @ApiOkResponse({ type: UserView })
  @ApiUnauthorizedResponse({ description: 'No, invalid, expired or revoked access token' })
  me(@CurrentUser() principal: Principal): Promise<UserView> {
    return this.jwtLogins.currentUser(principal);
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard)
  @ApiOkResponse(TOKENS_RESPONSE)
  @ApiUnauthorizedResponse({ description: 'Invalid, expired or revoked refresh token; reuse of a spent one revokes its login' })
  @ApiConflictResponse({ description: 'The token was rotated within REFRESH_REUSE_GRACE seconds; nothing revoked' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'One new key per refresh attempt, reused only for its retries: within 60 s, the same key and token answer the same successor again',
  })
  @ApiBadRequestResponse({ description: 'Malformed Idempotency-Key' })
  @ApiForbiddenResponse({ description: 'Cookie transport without a valid X-CSRF-Token' })
  @ApiHeader({ name: CSRF_HEADER, required: false, description: 'Required when the refresh token comes in the refresh_token cookie' })
  async refresh(
    @Body() body: RefreshTokenDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokenPairView | CookieTokensView> {
    const key = readIdempotencyKey(request);
    if (body.refreshToken !== undefined) return tokenPair(await this.jwtLogins.refresh(body.refreshToken, requestContext(request), key));
    const cookie = readCookie(request, REFRESH_TOKEN_COOKIE);
    if (cookie === undefined) throw new DomainException(ErrorCode.UNAUTHENTICATED, 'A refresh token is required');
    return this.completion.answerWithCookies(
      response,
      await this.jwtLogins.refreshFromCookie(cookie, request, requestContext(request), key),
    );
  }

  @Get('csrf')
  @UseGuards(JwtGuard)
  @ApiCookieAuth(ACCESS_TOKEN_COOKIE)
  @ApiOkResponse({
    type: CsrfTokenView,
    description: 'A fresh CSRF token of the cookie login; the csrf_token cookie is set to it again',
  })
  @ApiUnauthorizedResponse({ description: 'No, invalid, expired or revoked access token' })
  @ApiForbiddenResponse({ description: 'A Bearer request: CSRF tokens belong to the cookie transport' })
  async csrf(@CurrentUser() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<CsrfTokenView> {
    const { csrfToken, maxAgeSeconds } = await this.jwtLogins.reissueCsrfToken(principal);
    setCsrfCookie(response, csrfToken, maxAgeSeconds, this.config);
    return Object.assign(new CsrfTokenView(), { csrfToken });
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(JwtGuard)
  @ApiBearerAuth()
  @ApiCookieAuth(ACCESS_TOKEN_COOKIE)
  @ApiNoContentResponse({ description: 'This access token and its login stop working at once' })
  @ApiUnauthorizedResponse({ description: 'No, invalid, expired or revoked access token' })
  @ApiForbiddenResponse({ description: 'Cookie transport without a valid X-CSRF-Token' })
  async logout(
    @CurrentUser() principal: Principal,
    @Body() body: JwtLogoutDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.jwtLogins.logout(principal, body.refreshToken);
    await this.audit.record({
      type: AuditEventType.LOGOUT,
      userId: principal.userId,
      context: requestContext(request),
      details: { method: 'jwt' },
    });
    if (principal.credential === 'cookie' || readCookie(request, REFRESH_TOKEN_COOKIE) !== undefined) {
      clearJwtCookies(response, this.config);
    }
  }
}
