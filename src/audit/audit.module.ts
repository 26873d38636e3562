import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditService } from './audit.service';
import { AuthEventEntity } from './auth-event.entity';

/** The `auth_events` trail. A leaf: it imports none of the feature modules. */
@Module({
  imports: [TypeOrmModule.forFeature([AuthEventEntity])],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
