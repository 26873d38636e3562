import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { requestContext } from '../audit/request-context';
import { ApiKeysService, ApiKeyView, CurrentUser, Roles, RolesGuard, SessionOrJwtGuard, type Principal } from '../auth';
import { ADMIN_ROLE } from '../users/user.entity';
import { UserView } from '../users/user.view';
import { AdminService } from './admin.service';
import { AuditEventView, AuditQuery, ListUsersQuery, SetRolesDto, UserPageView } from './dto/admin.dto';

const userId = () => new ParseUUIDPipe();

@ApiTags('admin')
@ApiCookieAuth('sid')
@ApiCookieAuth('access_token')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No valid session or access token' })
@ApiForbiddenResponse({ description: 'Not an admin' })
@Controller('admin')
@UseGuards(SessionOrJwtGuard, RolesGuard)
@Roles(ADMIN_ROLE)
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Get('users/:id/api-keys')
  @ApiOkResponse({ type: [ApiKeyView] })
  @ApiNotFoundResponse()
  apiKeysOf(@Param('id', userId()) id: string): Promise<ApiKeyView[]> {
    return this.apiKeys.listOfUser(id);
  }

  @Delete('api-keys/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The key stopped at once, on every instance' })
  @ApiNotFoundResponse()
  revokeApiKey(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() caller: Principal, @Req() request: Request): Promise<void> {
    return this.apiKeys.revokeAny(id, caller.userId, requestContext(request));
  }

  @Get('users')
  @ApiOkResponse({ type: UserPageView })
  listUsers(@Query() query: ListUsersQuery): Promise<UserPageView> {
    return this.admin.listUsers(query.limit, query.offset);
  }

  @Post('users/:id/disable')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Disabled; every login of the user ended at once' })
  @ApiNotFoundResponse()
  disable(@Param('id', userId()) id: string, @CurrentUser() caller: Principal, @Req() request: Request): Promise<void> {
    return this.admin.disable(id, caller, requestContext(request));
  }

  @Post('users/:id/enable')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  enable(@Param('id', userId()) id: string, @CurrentUser() caller: Principal, @Req() request: Request): Promise<void> {
    return this.admin.enable(id, caller, requestContext(request));
  }

  @Put('users/:id/roles')
  @ApiOkResponse({ type: UserView })
  @ApiNotFoundResponse()
  setRoles(
    @Param('id', userId()) id: string,
    @Body() body: SetRolesDto,
    @CurrentUser() caller: Principal,
    @Req() request: Request,
  ): Promise<UserView> {
    return this.admin.setRoles(id, body.roles, caller, requestContext(request));
  }

  @Delete('users/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'The account is closed: every login ended, the user and personal data deleted' })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'An admin cannot delete themself' })
  deleteUser(@Param('id', userId()) id: string, @CurrentUser() caller: Principal): Promise<void> {
    return this.admin.deleteUser(id, caller);
  }

  @Delete('users/:id/mfa')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'MFA off for that user; every login of theirs ended' })
  @ApiNotFoundResponse()
  disableMfa(@Param('id', userId()) id: string, @CurrentUser() caller: Principal, @Req() request: Request): Promise<void> {
    return this.admin.disableMfa(id, caller, requestContext(request));
  }

  @Get('audit')
  @ApiOkResponse({ type: [AuditEventView] })
  auditEvents(@Query() query: AuditQuery): Promise<AuditEventView[]> {
    return this.admin.auditEvents(query);
  }
}
