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
import { SESSION_COOKIE, sessionCookieOptions } from './session.middleware';
import { UserView } from '../../users/user.view';
import { LoginBody } from '../credentials/login-body.decorator';
import { LoginDto } from '../credentials/login.dto';
import { LocalAuthGuard } from '../credentials/local-auth.guard';
import { LoginOriginGuard } from '../credentials/login-origin.guard';
import { SessionGuard } from './session.guard';
import { LoginService } from '../credentials/credentials.service';
import { SessionLoginService } from './cookie-session.service';

class CsrfTokenView {
  @ApiProperty() csrfToken!: string;
}

class SessionLoginView extends CsrfTokenView {
  @ApiProperty({ type: UserView }) user!: UserView;
}

@ApiTags('session')
@Controller('auth/session')
export class SessionAuthController {
  constructor(
    private readonly sessions: SessionLoginService,
    private readonly logins: LoginService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @UseGuards(LoginOriginGuard, LocalAuthGuard)
  @LoginBody(LoginDto)
  @ApiOkResponse({ type: SessionLoginView, description: 'Sets the `sid` cookie' })
  @ApiUnauthorizedResponse({ description: 'Invalid username or password' })
  @ApiForbiddenResponse({ description: 'Cross-site login' })
  async login(@Body() _credentials: LoginDto, @Req() request: Request): Promise<SessionLoginView> {
    const user = request.user as UserEntity;
    const csrfToken = await this.sessions.start(request, user.id);
    await this.logins.confirm(user, 'session', requestContext(request), () => this.sessions.end(request));
    return { user: UserView.of(user), csrfToken };
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
    return { csrfToken: request.session.csrfToken ?? '' };
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(SessionGuard)
  @ApiCookieAuth('sid')
  @ApiNoContentResponse({ description: 'The session row is deleted and the cookie cleared' })
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    const userId = request.principal?.userId;
    await this.sessions.end(request);
    await this.audit.record({ type: AuditEventType.LOGOUT, userId, context: requestContext(request), details: { method: 'session' } });
    response.clearCookie(SESSION_COOKIE, sessionCookieOptions(this.config));
  }
}
