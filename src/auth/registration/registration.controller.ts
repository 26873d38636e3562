import { Body, Controller, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { requestContext } from '../../audit/request-context';
import { UserView } from '../../users/user.view';
import { RegistrationService } from './registration.service';
import { IpThrottleGuard } from '../throttling/ip-throttle.guard';
import { RegisterDto } from './register.dto';

@ApiTags('auth')
@Controller('auth')
export class RegistrationController {
  constructor(private readonly auth: RegistrationService) {}

  @Post('register')
  @HttpCode(HttpStatus.CREATED)
  @UseGuards(IpThrottleGuard)
  @ApiCreatedResponse({ type: UserView })
  @ApiBadRequestResponse({ description: 'Invalid input or a password the policy refuses' })
  @ApiConflictResponse({ description: 'Username or email already registered' })
  register(@Body() body: RegisterDto, @Req() request: Request): Promise<UserView> {
    return this.auth.register(body, requestContext(request));
  }
}
