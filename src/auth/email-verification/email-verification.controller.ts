import { Body, Controller, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiNoContentResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { requestContext } from '../../audit/request-context';
import { CurrentUser } from '../guards/current-user.decorator';
import { SessionOrJwtGuard } from '../guards/session-or-jwt.guard';
import type { Principal } from '../principal';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { ChangeEmailDto, VerifyEmailDto } from './email-verification.dto';
import { EmailVerificationService } from './email-verification.service';

@ApiTags('email')
@Controller('auth/email')
export class EmailVerificationController {
  constructor(private readonly emails: EmailVerificationService) {}

  @Post('verify')
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(IpThrottleGuard)
  @ApiNoContentResponse({ description: 'The address the link was sent to is now the verified email' })
  @ApiUnauthorizedResponse({ description: 'INVALID_EMAIL_TOKEN: a bad, used or expired token' })
  @ApiConflictResponse({ description: 'An email change whose address was registered meanwhile' })
  verify(@Body() body: VerifyEmailDto, @Req() request: Request): Promise<void> {
    return this.emails.verify(body.token, requestContext(request));
  }

  @Post('verify/resend')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(SessionOrJwtGuard)
  @ApiCookieAuth('sid')
  @ApiBearerAuth()
  @ApiAcceptedResponse({ description: 'A new link (the previous one void); at most one mail a minute' })
  async resend(@CurrentUser() caller: Principal, @Req() request: Request): Promise<void> {
    await this.emails.resend(caller, requestContext(request));
  }

  @Post('change')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(IpThrottleGuard, SessionOrJwtGuard)
  @ApiCookieAuth('sid')
  @ApiBearerAuth()
  @ApiAcceptedResponse({ description: 'A link goes to the new address, a notice to the old one; nothing changes until the link is used' })
  @ApiConflictResponse({ description: 'EMAIL_TAKEN' })
  @ApiUnauthorizedResponse({ description: 'The current password is wrong' })
  async change(@CurrentUser() caller: Principal, @Body() body: ChangeEmailDto, @Req() request: Request): Promise<void> {
    await this.emails.requestChange(caller, body.newEmail, body.currentPassword, requestContext(request));
  }
}
