import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import { requestContext } from '../../audit/request-context';
import { AppConfig } from '../../config/app-config';
import { UserEntity } from '../../users/user.entity';
import { UserView } from '../../users/user.view';
import { LoginCompletionService } from '../credentials/login-completion.service';
import { LoginFlavourOf, rememberOf } from '../credentials/login-flavour.decorator';
import { LocalAuthGuard } from '../credentials/local-auth.guard';
import { LoginBody } from '../credentials/login-body.decorator';
import { LoginOriginGuard } from '../credentials/login-origin.guard';
import { LoginDto } from '../credentials/login.dto';
import { VerifiedAccount } from '../credentials/verified-account.decorator';
import { CurrentUser } from '../guards/current-user.decorator';
import type { Principal } from '../principal';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { CookieSessionService } from './cookie-session.service';
import { SESSION_COOKIE, sessionCookieOptions } from './session.middleware';
import { SessionGuard } from './session.guard';

class CsrfTokenView {
  @ApiProperty() csrfToken!: string;
}

class SessionLoginView extends CsrfTokenView {
  @ApiProperty({ type: UserView }) user!: UserView;
}

@ApiTags('session')
@Controller('auth/session')
export class CookieSessionController {
  constructor(
    private readonly sessions: CookieSessionService,
    private readonly completion: LoginCompletionService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard, LoginOriginGuard, LocalAuthGuard)
  @LoginBody(LoginDto)
  @LoginFlavourOf(() => 'session')
  @ApiOkResponse({ type: SessionLoginView, description: 'Sets the `sid` cookie' })
  @ApiUnauthorizedResponse({
    description: 'Invalid username or password; or MFA_REQUIRED with an `mfaToken` (complete at POST /auth/mfa/verify)',
  })
  @ApiForbiddenResponse({
    description:
      'Login CSRF: an `Origin` outside CORS_ORIGINS, or `Sec-Fetch-Site: cross-site` without a listed `Origin`. No cookie is set.',
  })
  async login(
    @Body() body: LoginDto,
    @VerifiedAccount() account: UserEntity,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionLoginView> {
    return this.completion.session(account, rememberOf(body), request, response);
  }

  @Get('me')
  @UseGuards(SessionGuard)
  @ApiCookieAuth('sid')
  @ApiOkResponse({ type: UserView })
  me(@Req() request: Request): UserView {
    // SessionGuard admitted the request, so the store loaded the session with its user.
    return UserView.of(request.session.loaded!.user);
  }

  @Get('csrf')
  @UseGuards(SessionGuard)
  @ApiCookieAuth('sid')
  @ApiOkResponse({ type: CsrfTokenView })
  csrf(@Req() request: Request): CsrfTokenView {
    return { csrfToken: this.sessions.csrfTokenOf(request) };
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(SessionGuard)
  @ApiCookieAuth('sid')
  @ApiNoContentResponse({ description: 'The session row is deleted and the cookie cleared' })
  async logout(@CurrentUser() caller: Principal, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.sessions.end(request);
    await this.audit.record({
      type: AuditEventType.LOGOUT,
      userId: caller.userId,
      context: requestContext(request),
      details: { method: 'session' },
    });
    response.clearCookie(SESSION_COOKIE, sessionCookieOptions(this.config));
  }
}
