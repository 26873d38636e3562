import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiKeyGuard } from '../api-keys/api-key.guard';
import { Scopes } from '../api-keys/scopes.decorator';
import { IntrospectDto, IntrospectionView } from './introspection.dto';
import { IntrospectionService } from './introspection.service';

export const INTROSPECT_SCOPE = 'introspect';

@ApiTags('keys')
@ApiBearerAuth()
@Controller('auth/introspect')
@UseGuards(ApiKeyGuard)
@Scopes(INTROSPECT_SCOPE)
export class IntrospectionController {
  constructor(private readonly introspection: IntrospectionService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: IntrospectionView, description: '`{active: false}` alone for a revoked, expired, forged or unknown token' })
  @ApiUnauthorizedResponse({ description: 'No valid API key' })
  @ApiForbiddenResponse({ description: 'The API key lacks the scope introspect' })
  introspect(@Body() body: IntrospectDto): Promise<IntrospectionView> {
    return this.introspection.introspect(body.token);
  }
}
