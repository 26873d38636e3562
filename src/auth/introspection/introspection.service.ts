import { Injectable } from '@nestjs/common';
import { AccessTokenVerifier } from '../../tokens/access/access-token-verification';
import { RevocationService } from '../../tokens/revocation/revocation.service';
import { looksLikeApiKey } from '../api-keys/api-key-secret';
import { ApiKeysService } from '../api-keys/api-keys.service';
import type { IntrospectionView } from './introspection.dto';

const INACTIVE: IntrospectionView = Object.freeze({ active: false });

/**
 * Token introspection (RFC 7662) for services that hold an API key with scope `introspect`: answered
 * from the same memory as the guards (signature and times, then the revocation state; the API-key
 * registry), so no query per call while the revocation channel is live.
 */
@Injectable()
export class IntrospectionService {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly revocation: RevocationService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async introspect(token: string): Promise<IntrospectionView> {
    if (looksLikeApiKey(token)) {
      const key = await this.apiKeys.authenticate(token, { use: false });
      if (key === undefined) return INACTIVE;
      return {
        active: true,
        sub: key.userId,
        ...(key.expiresAt === null ? {} : { exp: Math.floor(key.expiresAt.getTime() / 1000) }),
        iat: Math.floor(key.createdAt.getTime() / 1000),
        jti: key.id,
        scope: key.scopes.join(' '),
        token_type: 'api_key',
      };
    }
    const claims = await this.verifier.verify(token);
    if (claims === null || (await this.revocation.isRevoked(claims))) return INACTIVE;
    return { active: true, sub: claims.sub, exp: claims.exp, iat: claims.iat, jti: claims.jti, token_type: 'Bearer' };
  }
}
