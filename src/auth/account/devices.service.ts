import { Injectable } from '@nestjs/common';
import { RefreshTokenService } from '../../tokens/refresh/refresh-token.service';
import { RevocationService } from '../../tokens/revocation/revocation.service';
import { UserEntity } from '../../users/user.entity';
import { SessionsService } from '../../users/sessions/sessions.service';
import { MfaChallengesService } from '../mfa/mfa-challenges.service';
import type { Principal } from '../principal';
import { DeviceView } from './device.view';

export interface DevicesToKeep {
  /** A cookie session to keep (its row id). */
  readonly sessionId?: string;
  /** A refresh family to keep, with its access tokens. */
  readonly familyId?: string;
}

/** A user's logins of both kinds, cookie sessions and refresh families, seen and ended together. */
@Injectable()
export class DevicesService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly revocation: RevocationService,
    private readonly mfaChallenges: MfaChallengesService,
  ) {}

  async list(caller: Principal): Promise<DeviceView[]> {
    const [sessions, families] = await Promise.all([this.sessions.listLive(caller.userId), this.refreshTokens.listFamilies(caller.userId)]);
    const views: DeviceView[] = [
      ...sessions.map((session) => ({
        id: session.id,
        kind: 'session' as const,
        createdAt: session.createdAt.toISOString(),
        lastUsedAt: session.lastUsedAt.toISOString(),
        expiresAt: new Date(Math.min(session.idleExpiresAt.getTime(), session.absoluteExpiresAt.getTime())).toISOString(),
        ip: session.ip,
        userAgent: session.userAgent,
        current: caller.authMethod === 'session' && caller.loginId === session.id,
      })),
      ...families.map((family) => ({
        id: family.id,
        kind: 'jwt' as const,
        createdAt: family.createdAt.toISOString(),
        lastUsedAt: family.lastUsedAt.toISOString(),
        expiresAt: family.expiresAt.toISOString(),
        ip: family.ip,
        userAgent: family.userAgent,
        current: caller.authMethod === 'jwt' && caller.loginId === family.id,
      })),
    ];
    return views.sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt));
  }

  /** Ends one login of the user at once; false when the user has no such live login. */
  async endOne(userId: string, loginId: string): Promise<boolean> {
    if (await this.sessions.endOne(userId, loginId)) return true;
    const families = await this.refreshTokens.listFamilies(userId);
    if (!families.some((family) => family.id === loginId)) return false;
    await this.revocation.revokeFamily(loginId);
    return true;
  }

  /**
   * Ends every login of the user but those in `keep`. With nothing to keep, every access token
   * already issued stops too (tokens-valid-after), whatever family it belongs to. Logins waiting for
   * their second factor (MFA challenges) end as well.
   */
  async endAll(userId: string, keep: DevicesToKeep = {}): Promise<void> {
    await this.mfaChallenges.voidAll(userId);
    await this.sessions.endAll(userId, keep.sessionId);
    await this.revocation.revokeAllFamiliesOfUser(userId, keep.familyId);
    if (keep.sessionId === undefined && keep.familyId === undefined) {
      await this.revocation.setUserTokensValidAfter(userId, new Date());
    }
  }

  /**
   * Sets the user's roles, effective at once: sessions read roles on every request, and access
   * tokens issued before take the new roles from the roles cache on every instance.
   */
  changeRoles(userId: string, roles: readonly string[]): Promise<UserEntity | null> {
    return this.revocation.changeRoles(userId, roles);
  }
}
