import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
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
import { CredentialsService } from '../credentials/credentials.service';
import { VerifiedAccount } from '../credentials/verified-account.decorator';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { IssuedTokens, JwtLoginService } from './jwt-login.service';
import { readIdempotencyKey } from './idempotency-key';
import { clearJwtCookies, readCookie, REFRESH_TOKEN_COOKIE, setJwtCookies } from './jwt-cookies';
import type { Principal } from '../principal';

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
    private readonly credentials: CredentialsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard, LoginOriginGuard, LocalAuthGuard)
  @LoginBody(JwtLoginDto)
  @ApiOkResponse(TOKENS_RESPONSE)
  @ApiBadRequestResponse({ description: 'Invalid body' })
  @ApiUnauthorizedResponse({ description: 'Invalid username or password' })
  async login(
    @Body() body: JwtLoginDto,
    @VerifiedAccount() account: UserEntity,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokenPairView | CookieTokensView> {
    const tokens = await this.jwtLogins.start(account, requestContext(request));
    await this.credentials.confirm(account, 'jwt', requestContext(request), () => this.jwtLogins.abandon(tokens.familyId));
    return body.transport === 'cookie' ? this.answerWithCookies(response, tokens) : tokenPair(tokens);
  }

  @Get('me')
  @UseGuards(JwtGuard)
  @ApiBearerAuth()
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
  async refresh(
    @Body() body: RefreshTokenDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokenPairView | CookieTokensView> {
    const key = readIdempotencyKey(request);
    if (body.refreshToken !== undefined) return tokenPair(await this.jwtLogins.refresh(body.refreshToken, requestContext(request), key));
    const cookie = readCookie(request, REFRESH_TOKEN_COOKIE);
    if (cookie === undefined) throw new DomainException(ErrorCode.UNAUTHENTICATED, 'A refresh token is required');
    return this.answerWithCookies(response, await this.jwtLogins.refreshFromCookie(cookie, request, requestContext(request), key));
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(JwtGuard)
  @ApiBearerAuth()
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
      clearJwtCookies(response, this.config.cookieSecure);
    }
  }

  private answerWithCookies(response: Response, tokens: IssuedTokens): CookieTokensView {
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
      this.config.cookieSecure,
    );
    return Object.assign(new CookieTokensView(), { tokenType: 'Bearer' as const, expiresIn: tokens.expiresIn, csrfToken });
  }
}

function tokenPair(tokens: IssuedTokens): TokenPairView {
  return Object.assign(new TokenPairView(), {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    tokenType: 'Bearer' as const,
    expiresIn: tokens.expiresIn,
    refreshExpiresIn: tokens.refreshExpiresIn,
  });
}
