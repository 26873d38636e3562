import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { requestContext } from '../../audit/request-context';
import { CurrentUser } from '../guards/current-user.decorator';
import { SessionOrJwtGuard } from '../guards/session-or-jwt.guard';
import type { Principal } from '../principal';
import { CreateApiKeyDto } from './api-key.dto';
import { ApiKeyView, CreatedApiKeyView } from './api-key.view';
import { ApiKeysService } from './api-keys.service';

/** A signed-in user's API keys, for scripts and services (API.md, "API keys"). */
@ApiTags('api-keys')
@ApiCookieAuth('sid')
@ApiCookieAuth('access_token')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid session or access token' })
@Controller('auth/api-keys')
@UseGuards(SessionOrJwtGuard)
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedApiKeyView, description: 'The key is in this answer only; it is stored as a keyed hash' })
  @ApiBadRequestResponse()
  create(@CurrentUser() caller: Principal, @Body() body: CreateApiKeyDto, @Req() request: Request): Promise<CreatedApiKeyView> {
    return this.apiKeys.create(caller.userId, body, requestContext(request));
  }

  @Get()
  @ApiOkResponse({ type: [ApiKeyView] })
  list(@CurrentUser() caller: Principal): Promise<ApiKeyView[]> {
    return this.apiKeys.list(caller.userId);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The key stopped at once, on every instance' })
  @ApiNotFoundResponse({ description: 'No such key of the caller' })
  revoke(@CurrentUser() caller: Principal, @Param('id', new ParseUUIDPipe()) id: string, @Req() request: Request): Promise<void> {
    return this.apiKeys.revokeOwn(caller.userId, id, requestContext(request));
  }
}
