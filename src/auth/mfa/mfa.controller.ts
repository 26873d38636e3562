import { Body, Controller, HttpCode, HttpStatus, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { requestContext } from '../../audit/request-context';
import { LoginCompletionService, SessionLoginAnswer } from '../credentials/login-completion.service';
import { LoginOriginGuard } from '../credentials/login-origin.guard';
import { CurrentUser } from '../guards/current-user.decorator';
import { SessionOrJwtGuard } from '../guards/session-or-jwt.guard';
import { CookieTokensView } from '../jwt/cookie-tokens.view';
import { TokenPairView } from '../jwt/token-pair.view';
import type { Principal } from '../principal';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { MfaCodeDto, MfaReauthDto, MfaSetupDto, MfaSetupView, MfaVerifyDto, RecoveryCodesView } from './mfa.dto';
import { MfaService } from './mfa.service';

@ApiTags('mfa')
@Controller('auth/mfa')
export class MfaController {
  constructor(
    private readonly mfa: MfaService,
    private readonly completion: LoginCompletionService,
    private readonly loginOrigin: LoginOriginGuard,
  ) {}

  @Post('totp/setup')
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard, SessionOrJwtGuard)
  @ApiCookieAuth('sid')
  @ApiBearerAuth()
  @ApiOkResponse({ type: MfaSetupView, description: 'Pending until confirmed with a code' })
  @ApiConflictResponse({ description: 'MFA is already on' })
  setup(@CurrentUser() caller: Principal, @Body() body: MfaSetupDto, @Req() request: Request): Promise<MfaSetupView> {
    return this.mfa.setup(caller, body.currentPassword, requestContext(request));
  }

  @Post('totp/confirm')
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard, SessionOrJwtGuard)
  @ApiCookieAuth('sid')
  @ApiBearerAuth()
  @ApiOkResponse({ type: RecoveryCodesView, description: 'MFA is on; every other login of the user ended' })
  @ApiUnauthorizedResponse({ description: 'INVALID_MFA_CODE' })
  confirm(@CurrentUser() caller: Principal, @Body() body: MfaCodeDto, @Req() request: Request): Promise<RecoveryCodesView> {
    return this.mfa.confirm(caller, body.code, requestContext(request));
  }

  @Post('verify')
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard)
  @ApiOkResponse({ description: 'Exactly what the login would have answered without MFA (session, JWT pair, or JWT cookies)' })
  @ApiUnauthorizedResponse({
    description: 'INVALID_MFA_CODE (wrong or replayed code), INVALID_MFA_TOKEN (used, expired, or 5 wrong codes)',
  })
  async verify(
    @Body() body: MfaVerifyDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionLoginAnswer | TokenPairView | CookieTokensView> {
    // Login CSRF applies as at the login: only the flavours that set a cookie are bound to the origin.
    const { user, challenge } = await this.mfa.verifyLogin(body.mfaToken, body.code, requestContext(request), (pending) => {
      if (pending.flavour !== 'jwt-body') this.loginOrigin.assertAllowedOrigin(request);
    });
    return this.completion.complete(challenge.flavour, user, challenge.remember, request, response);
  }

  @Post('recovery-codes')
  @HttpCode(HttpStatus.OK)
  @UseGuards(IpThrottleGuard, SessionOrJwtGuard)
  @ApiCookieAuth('sid')
  @ApiBearerAuth()
  @ApiOkResponse({ type: RecoveryCodesView, description: 'New codes; the previous ones are void' })
  regenerate(@CurrentUser() caller: Principal, @Body() body: MfaReauthDto, @Req() request: Request): Promise<RecoveryCodesView> {
    return this.mfa.regenerateRecoveryCodes(caller, body.currentPassword, body.code, requestContext(request));
  }

  @Post('disable')
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(IpThrottleGuard, SessionOrJwtGuard)
  @ApiCookieAuth('sid')
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'MFA off' })
  disable(@CurrentUser() caller: Principal, @Body() body: MfaReauthDto, @Req() request: Request): Promise<void> {
    return this.mfa.disable(caller, body.currentPassword, body.code, requestContext(request));
  }
}
