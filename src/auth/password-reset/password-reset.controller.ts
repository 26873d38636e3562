import { Body, Controller, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiProperty,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { requestContext } from '../../audit/request-context';
import { ForgotPasswordDto, ResetPasswordDto } from './password-reset.dto';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { PasswordResetService } from './password-reset.service';

class ForgotPasswordView {
  @ApiProperty() message!: string;
}

const FORGOT_ANSWER: ForgotPasswordView = {
  message: 'If that email is registered, a link to reset the password is on its way.',
};

@ApiTags('password')
@Controller('auth/password')
export class PasswordResetController {
  constructor(private readonly resets: PasswordResetService) {}

  @Post('forgot')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(IpThrottleGuard)
  @ApiAcceptedResponse({ type: ForgotPasswordView, description: 'The same answer whether or not the email exists' })
  forgot(@Body() body: ForgotPasswordDto, @Req() request: Request): ForgotPasswordView {
    this.resets.requestReset(body.email, requestContext(request));
    return FORGOT_ANSWER;
  }

  @Post('reset')
  @HttpCode(HttpStatus.NO_CONTENT)
  @UseGuards(IpThrottleGuard)
  @ApiNoContentResponse({ description: 'Password set; every login of the user ended' })
  @ApiUnauthorizedResponse({ description: 'Invalid, used or expired token' })
  @ApiBadRequestResponse({ description: 'The new password fails the policy' })
  async reset(@Body() body: ResetPasswordDto, @Req() request: Request): Promise<void> {
    await this.resets.reset(body.token, body.newPassword, requestContext(request));
  }
}
