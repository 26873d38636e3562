import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Secret, TOTP } from 'otpauth';
import { DataSource } from 'typeorm';
import { AuditEventType } from '../../audit/audit-event-type';
import { AuditService } from '../../audit/audit.service';
import type { RequestContext } from '../../audit/request-context';
import { Clock } from '../../common/clock/clock';
import { hashSecret } from '../../common/crypto/secret-token';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { UserEntity } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
import { DevicesService } from '../account/devices.service';
import { CredentialsService } from '../credentials/credentials.service';
import { SecurityNoticesService } from '../notices/security-notices.service';
import type { Principal } from '../principal';
import { LoginThrottleService } from '../throttling/login-throttle.service';
import { invalidMfaToken, LiveChallenge, MfaChallengesService } from './mfa-challenges.service';
import { MfaSetupView, RecoveryCodesView } from './mfa.dto';
import { TotpSecretCipher } from './totp-secret-cipher';
import { TotpSecretReencryption } from './totp-secret-reencryption';

const PERIOD_SECONDS = 30;
const DIGITS = 6;
const RECOVERY_CODE_COUNT = 10;
/** Unambiguous lower-case letters and digits: 12 of them are 60 bits. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

const wrongCode = () => new DomainException(ErrorCode.INVALID_MFA_CODE, 'The code is wrong, used or expired');

function totpOf(base32: string, label = ''): TOTP {
  return new TOTP({
    issuer: 'nest-auth-backend',
    label,
    secret: Secret.fromBase32(base32),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
  });
}

function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

function newRecoveryCode(): string {
  const bytes = randomBytes(12);
  const chars = [...bytes].map((byte) => RECOVERY_ALPHABET[byte % RECOVERY_ALPHABET.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
}

/**
 * TOTP (RFC 6238 through the otpauth package) with recovery codes: setup, confirmation, the second
 * step of a login, regeneration and switching off. Every code check counts in the per-account
 * throttle; a TOTP code works once (the last accepted time step is stored per user).
 */
@Injectable()
export class MfaService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly credentials: CredentialsService,
    private readonly challenges: MfaChallengesService,
    private readonly devices: DevicesService,
    private readonly throttle: LoginThrottleService,
    private readonly cipher: TotpSecretCipher,
    private readonly reencryption: TotpSecretReencryption,
    private readonly notices: SecurityNoticesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async setup(caller: Principal, currentPassword: string, context: RequestContext): Promise<MfaSetupView> {
    const user = await this.userOf(caller);
    await this.credentials.verifyCurrentPassword(user, currentPassword, context);
    if (user.mfaEnabled) throw new DomainException(ErrorCode.MFA_ALREADY_ENABLED, 'MFA is already on: disable it first');
    const secret = new Secret({ size: 20 }).base32;
    await this.users.setPendingTotpSecret(user.id, this.cipher.encrypt(secret));
    await this.audit.record({ type: AuditEventType.MFA_SETUP_STARTED, userId: user.id, context });
    return { secret, otpauthUrl: totpOf(secret, user.username).toString() };
  }

  /** Confirms the pending secret with a code: MFA on, 10 recovery codes, every other login ends. */
  async confirm(caller: Principal, code: string, context: RequestContext): Promise<RecoveryCodesView> {
    const user = await this.userOf(caller);
    if (user.mfaEnabled) throw new DomainException(ErrorCode.MFA_ALREADY_ENABLED, 'MFA is already on');
    const pending = user.totpPendingSecret === null ? undefined : this.cipher.decrypt(user.totpPendingSecret);
    if (pending === undefined || user.totpPendingSecret === null) {
      throw new DomainException(ErrorCode.MFA_NOT_ENABLED, 'Start with POST /auth/mfa/totp/setup');
    }
    await this.throttle.admit(user.id);
    const step = this.matchingStep(pending, code);
    if (step === undefined || !(await this.users.enableTotp(user.id, user.totpPendingSecret, step))) {
      await this.failed(user.id, context, 'confirm');
      throw wrongCode();
    }
    await this.throttle.recordSuccess(user.id);
    const recoveryCodes = await this.replaceRecoveryCodes(user.id);
    await this.devices.endAll(user.id, caller.authMethod === 'session' ? { sessionId: caller.loginId } : { familyId: caller.loginId });
    await this.audit.record({ type: AuditEventType.MFA_ENABLED, userId: user.id, context });
    this.notices.send('mfa-enabled', user);
    return { recoveryCodes };
  }

  async regenerateRecoveryCodes(
    caller: Principal,
    currentPassword: string,
    code: string,
    context: RequestContext,
  ): Promise<RecoveryCodesView> {
    const user = await this.userOf(caller);
    await this.credentials.verifyCurrentPassword(user, currentPassword, context);
    await this.assertCode(user, code, context);
    const recoveryCodes = await this.replaceRecoveryCodes(user.id);
    await this.audit.record({ type: AuditEventType.MFA_RECOVERY_CODES_REGENERATED, userId: user.id, context });
    return { recoveryCodes };
  }

  async disable(caller: Principal, currentPassword: string, code: string, context: RequestContext): Promise<void> {
    const user = await this.userOf(caller);
    await this.credentials.verifyCurrentPassword(user, currentPassword, context);
    await this.assertCode(user, code, context);
    await this.switchOff(user.id);
    await this.audit.record({ type: AuditEventType.MFA_DISABLED, userId: user.id, context });
    this.notices.send('mfa-disabled', user);
  }

  /** An admin turns MFA off for a user (a lost phone): every login of theirs ends. False: no such user. */
  async adminDisable(userId: string, admin: Principal, context: RequestContext): Promise<boolean> {
    const user = await this.users.findById(userId);
    if (user === null) return false;
    await this.switchOff(userId);
    await this.devices.endAll(userId);
    await this.audit.record({ type: AuditEventType.MFA_DISABLED, userId, actorId: admin.userId, context, details: { by: 'admin' } });
    this.notices.send('mfa-disabled', user);
    return true;
  }

  /**
   * The second step of a login: the challenge must be live and the code right (a wrong one counts
   * against the challenge and the account); then the challenge is spent in one conditional UPDATE,
   * so of concurrent verifies exactly one completes the login. `admit` may refuse the request for the
   * challenge (login CSRF) before anything is counted or spent.
   */
  async verifyLogin(
    mfaToken: string,
    code: string,
    context: RequestContext,
    admit: (challenge: LiveChallenge) => void = () => undefined,
  ): Promise<{ user: UserEntity; challenge: LiveChallenge }> {
    const challenge = await this.challenges.findLive(mfaToken);
    if (challenge === undefined) throw invalidMfaToken();
    admit(challenge);
    const user = await this.users.findById(challenge.userId);
    if (user === null || user.disabled || !user.mfaEnabled) throw invalidMfaToken();
    await this.throttle.admit(user.id);
    if (!(await this.codeMatches(user, code, context))) {
      await this.challenges.recordFailure(challenge.id);
      await this.failed(user.id, context, 'login');
      throw wrongCode();
    }
    if (!(await this.challenges.spend(challenge.id))) throw invalidMfaToken();
    await this.throttle.recordSuccess(user.id);
    return { user, challenge };
  }

  /** For a signed-in user's sensitive step (closing the account): the code must be right; throttled and audited. */
  async assertCode(user: UserEntity, code: string | undefined, context: RequestContext): Promise<void> {
    if (!user.mfaEnabled) return;
    await this.throttle.admit(user.id);
    if (code === undefined || !(await this.codeMatches(user, code, context))) {
      await this.failed(user.id, context, 'reauthentication');
      throw wrongCode();
    }
    await this.throttle.recordSuccess(user.id);
  }

  /** A current TOTP code (±1 step, spent once) or an unused recovery code (spent). */
  private async codeMatches(user: UserEntity, code: string, context: RequestContext): Promise<boolean> {
    const secret = user.totpSecret === null ? undefined : this.cipher.decrypt(user.totpSecret);
    if (/^\d{6}$/.test(code)) {
      const step = secret === undefined ? undefined : this.matchingStep(secret, code);
      if (secret === undefined || step === undefined || !(await this.users.spendTotpStep(user.id, step))) return false;
      await this.reencryption.reencryptIfOld(user, secret);
      return true;
    }
    const [, affected] = await this.dataSource.query<[unknown[], number]>(
      'UPDATE mfa_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id',
      [user.id, hashSecret(normalizeRecoveryCode(code))],
    );
    if (affected === 0) return false;
    await this.audit.record({ type: AuditEventType.MFA_RECOVERY_CODE_USED, userId: user.id, context });
    return true;
  }

  /** The time step the code belongs to (now ±1), or undefined. */
  private matchingStep(base32: string, code: string): number | undefined {
    if (!/^\d{6}$/.test(code)) return undefined;
    const timestamp = this.clock.now();
    const delta = totpOf(base32).validate({ token: code, timestamp, window: 1 });
    return delta === null ? undefined : Math.floor(timestamp / 1000 / PERIOD_SECONDS) + delta;
  }

  private async replaceRecoveryCodes(userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.dataSource.transaction(async (manager) => {
      await manager.query('DELETE FROM mfa_recovery_codes WHERE user_id = $1', [userId]);
      for (const code of codes) {
        await manager.query('INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)', [
          userId,
          hashSecret(normalizeRecoveryCode(code)),
        ]);
      }
    });
    return codes;
  }

  private async switchOff(userId: string): Promise<void> {
    await this.users.disableMfa(userId);
    await this.dataSource.query('DELETE FROM mfa_recovery_codes WHERE user_id = $1', [userId]);
    await this.challenges.voidAll(userId);
  }

  private async failed(userId: string, context: RequestContext, during: string): Promise<void> {
    await this.throttle.recordFailure(userId);
    await this.audit.record({ type: AuditEventType.MFA_FAILED, userId, context, details: { during } });
  }

  private async userOf(caller: Principal): Promise<UserEntity> {
    const user = await this.users.findById(caller.userId);
    if (user === null) throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required');
    return user;
  }
}
