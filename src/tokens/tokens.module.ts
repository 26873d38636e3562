import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AuditModule } from '../audit/audit.module';
import { UsersModule } from '../users/users.module';
import { AccessTokenService } from './access/access-token.service';
import { AccessTokenVerifier } from './access/access-token-verification';
import { Clock, SystemClock } from '../common/clock/clock';
import { TokensExpiredRowsPruner } from './tokens-expired-rows.pruner';
import { JwtKeyRing } from './access/jwt-key-ring';
import { RefreshTokenService } from './refresh/refresh-token.service';
import { RevocationCache } from './revocation/revocation-cache';
import { RevocationFeed } from './revocation/revocation-feed.service';
import { RevocationListener } from './revocation/revocation-listener.service';
import { RevocationRedisChannel } from './revocation/revocation-redis-channel.service';
import { RevocationRelay } from './revocation/revocation-relay';
import { RevocationStore } from './revocation/revocation-store.service';
import { RevocationService } from './revocation/revocation.service';

/** Access tokens, refresh rotation and the revocation blocklist. Exports services only. */
@Module({
  imports: [UsersModule, AuditModule, JwtModule.register({})],
  providers: [
    { provide: Clock, useClass: SystemClock },
    JwtKeyRing,
    AccessTokenService,
    AccessTokenVerifier,
    RefreshTokenService,
    RevocationCache,
    RevocationRelay,
    RevocationStore,
    RevocationFeed,
    RevocationListener,
    RevocationRedisChannel,
    RevocationService,
    TokensExpiredRowsPruner,
  ],
  exports: [Clock, JwtKeyRing, AccessTokenService, AccessTokenVerifier, RefreshTokenService, RevocationService],
})
export class TokensModule {}
