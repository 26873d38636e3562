import { SetMetadata } from '@nestjs/common';

export const SCOPES_KEY = 'auth:scopes';

/**
 * The scopes a route needs (every one of them), checked by `ApiKeyGuard`: a key without one is 403.
 *
 * @example
 * @Controller('reports')
 * @UseGuards(ApiKeyGuard)
 * export class ReportsApiController {
 *   @Get()
 *   @Scopes('reports:read')
 *   list(@CurrentUser() caller: Principal) {}
 * }
 */
export const Scopes = (...scopes: string[]) => SetMetadata(SCOPES_KEY, scopes);
