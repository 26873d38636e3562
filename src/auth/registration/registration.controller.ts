import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { requestContext } from '../../audit/request-context';
import { UserView } from '../../users/user.view';
import { AuthService } from './registration.service';
import { RegisterDto } from './register.dto';

@ApiTags('auth')
@Controller('auth')
export class RegistrationController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @HttpCode(HttpStatus.CREATED)
  @ApiCreatedResponse({ type: UserView })
  @ApiBadRequestResponse({ description: 'Invalid input or a password the policy refuses' })
  @ApiConflictResponse({ description: 'Username or email already registered' })
  register(@Body() body: RegisterDto, @Req() request: Request): Promise<UserView> {
    return this.auth.register(body, requestContext(request));
  }
}
