import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { DomainException } from '../common/errors/domain.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ShutdownState } from './shutdown-state';

const PING_TIMEOUT_MS = 1000;

/** The contract's error shape; the code names the reason a load balancer should stop sending. */
export const SHUTTING_DOWN_BODY = {
  statusCode: HttpStatus.SERVICE_UNAVAILABLE,
  code: 'SHUTTING_DOWN',
  message: 'The service is shutting down',
} as const;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get()
  @ApiOkResponse({ schema: { example: { status: 'ok', db: 'up' } } })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer, or the service is shutting down' })
  async check(@Res({ passthrough: true }) response: Response): Promise<{ status: 'ok'; db: 'up' } | typeof SHUTTING_DOWN_BODY> {
    if (this.shutdown.isShuttingDown) {
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      return SHUTTING_DOWN_BODY;
    }
    try {
      await this.health.check([() => this.database.pingCheck('database').withTimeout(PING_TIMEOUT_MS)]);
    } catch {
      throw new DomainException(ErrorCode.DATABASE_UNAVAILABLE, 'The database is unavailable');
    }
    return { status: 'ok', db: 'up' };
  }
}
