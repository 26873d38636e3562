import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import { requestContext } from '../../audit/request-context';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { AppConfig } from '../../config/app-config';
import { SESSION_COOKIE, sessionCookieOptions } from '../cookie-session/session.middleware';
import { UserView } from '../../users/user.view';
import { UsersService } from '../../users/users.service';
import { CurrentUser } from '../guards/current-user.decorator';
import { AccountDeletionService } from './account-deletion.service';
import { ChangePasswordDto, CloseAccountDto } from './change-password.dto';
import { SessionOrJwtGuard } from '../guards/session-or-jwt.guard';
import { invalidAccessToken } from '../jwt/invalid-access-token';
import { clearJwtCookies } from '../jwt/jwt-cookies';
import { DeviceView } from './device.view';
import { DevicesService } from './devices.service';
import { PasswordChangeService } from './password-change.service';
import type { Principal } from '../principal';
import { CookieSessionService } from '../cookie-session/cookie-session.service';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';

class MeView extends UserView {
  @ApiProperty({ enum: ['session', 'jwt'] }) authMethod!: 'session' | 'jwt';
}

/** What a signed-in user does with their own account, through either flavour. */
@ApiTags('account')
@ApiCookieAuth('sid')
@ApiCookieAuth('access_token')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid session or access token' })
@Controller('auth')
@UseGuards(SessionOrJwtGuard)
export class AccountController {
  constructor(
    private readonly users: UsersService,
    private readonly devices: DevicesService,
    private readonly passwords: PasswordChangeService,
    private readonly cookieSessions: CookieSessionService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    private readonly deletion: AccountDeletionService,
  ) {}

  @Get('me')
  @ApiOkResponse({ type: MeView })
  async me(@CurrentUser() caller: Principal): Promise<MeView> {
    const user = await this.users.findById(caller.userId);
    // A token outlives its user's row (no query per request checks it): the user is gone, the token invalid.
    if (user === null) {
      throw caller.authMethod === 'jwt' ? invalidAccessToken() : new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required');
    }
    return Object.assign(new MeView(), UserView.of(user), { authMethod: caller.authMethod });
  }

  @Get('sessions')
  @ApiOkResponse({ type: [DeviceView] })
  sessionsList(@CurrentUser() caller: Principal): Promise<DeviceView[]> {
    return this.devices.list(caller);
  }

  @Delete('sessions/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'That login ended at once' })
  @ApiNotFoundResponse({ description: 'No such login of the caller' })
  async endOne(@CurrentUser() caller: Principal, @Param('id', new ParseUUIDPipe()) id: string, @Req() request: Request): Promise<void> {
    if (!(await this.devices.endOne(caller.userId, id))) throw new DomainException(ErrorCode.NOT_FOUND, 'No such login');
    await this.audit.record({
      type: AuditEventType.LOGIN_ENDED,
      userId: caller.userId,
      context: requestContext(request),
      details: { loginId: id },
    });
  }

  @Post('logout-all')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Every login of the caller ended, this one included' })
  async logoutAll(
    @CurrentUser() caller: Principal,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.devices.endAll(caller.userId);
    await this.audit.record({ type: AuditEventType.LOGOUT_ALL, userId: caller.userId, context: requestContext(request) });
    response.clearCookie(SESSION_COOKIE, sessionCookieOptions(this.config));
    clearJwtCookies(response, this.config);
  }

  @Delete('account')
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(IpThrottleGuard)
  @ApiNoContentResponse({
    description: 'Every login ended on every instance; the user and their personal data are deleted; username and email are free again',
  })
  async closeAccount(
    @CurrentUser() caller: Principal,
    @Body() body: CloseAccountDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.deletion.closeOwn(caller, body.currentPassword, body.code, requestContext(request));
    response.clearCookie(SESSION_COOKIE, sessionCookieOptions(this.config));
    clearJwtCookies(response, this.config);
  }

  @Post('password/change')
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(IpThrottleGuard)
  @ApiNoContentResponse({ description: 'Changed; every other login ended; a session caller gets a new session id' })
  async changePassword(@CurrentUser() caller: Principal, @Body() body: ChangePasswordDto, @Req() request: Request): Promise<void> {
    await this.passwords.change(caller, body.currentPassword, body.newPassword, requestContext(request));
    if (caller.authMethod === 'session') await this.cookieSessions.renew(request);
  }
}
