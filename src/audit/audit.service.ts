import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, Repository } from 'typeorm';
import { AuditEventType } from './audit-event-type';
import { AuthEventEntity } from './auth-event.entity';
import { RequestContext } from './request-context';

export interface AuditEvent {
  readonly type: AuditEventType;
  readonly userId?: string | null;
  readonly actorId?: string | null;
  readonly context?: RequestContext;
  readonly details?: AuthEventEntity['details'];
}

export interface AuditQuery {
  readonly userId?: string;
  readonly type?: string;
  readonly limit: number;
}

/** The audit trail of security events. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(@InjectRepository(AuthEventEntity) private readonly events: Repository<AuthEventEntity>) {}

  /**
   * Writes the event; a failure to write is logged, not thrown, so an audit outage cannot turn a
   * completed logout or revocation into an error the client would retry.
   */
  async record(event: AuditEvent): Promise<void> {
    try {
      await this.events.insert({
        type: event.type,
        userId: event.userId ?? null,
        actorId: event.actorId ?? null,
        ip: event.context?.ip ?? null,
        userAgent: event.context?.userAgent ?? null,
        details: event.details ?? {},
      });
    } catch (error) {
      this.logger.error(`Audit event ${event.type} not written: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Newest first. */
  find(query: AuditQuery): Promise<AuthEventEntity[]> {
    const where: FindOptionsWhere<AuthEventEntity> = {};
    if (query.userId !== undefined) where.userId = query.userId;
    if (query.type !== undefined) where.type = query.type;
    return this.events.find({ where, order: { createdAt: 'DESC' }, take: query.limit });
  }
}
