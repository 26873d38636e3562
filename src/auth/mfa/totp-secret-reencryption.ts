import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { UserEntity } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
import { TotpSecretCipher } from './totp-secret-cipher';

const BATCH = 200;

/**
 * After a JWT_SECRET rotation (new first, old kept), moves every TOTP secret under the new key, so
 * the old value can then be removed without leaving anyone's MFA unreadable: all of them once, in
 * the background after start, and each one again when it is used (an instance still on the old
 * list may have written it since). Each replacement is conditional on the ciphertext read, so
 * instances doing it at once, or a new setup or a disable meanwhile, never lose a write.
 */
@Injectable()
export class TotpSecretReencryption implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TotpSecretReencryption.name);
  private sweep: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly users: UsersService,
    private readonly cipher: TotpSecretCipher,
  ) {}

  onApplicationBootstrap(): void {
    this.sweep = this.reencryptAll().catch((error: unknown) => {
      this.logger.warn(`Re-encrypting TOTP secrets stopped: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.sweep;
  }

  /** The user's secret under the current key, if it was readable under an older one. */
  async reencryptIfOld(user: UserEntity, plaintext: string): Promise<void> {
    if (user.totpSecret === null || this.cipher.isCurrent(user.totpSecret)) return;
    await this.users.replaceTotpSecret(user.id, user.totpSecret, this.cipher.encrypt(plaintext));
  }

  private async reencryptAll(): Promise<void> {
    let moved = 0;
    let unreadable = 0;
    let afterId: string | undefined;
    while (!this.stopping) {
      const page = await this.users.totpSecretsNotUnder(this.cipher.currentKeyId, afterId, BATCH);
      for (const { id, totpSecret } of page) {
        const plaintext = this.cipher.decrypt(totpSecret);
        if (plaintext === undefined) unreadable += 1;
        else if (await this.users.replaceTotpSecret(id, totpSecret, this.cipher.encrypt(plaintext))) moved += 1;
      }
      if (page.length < BATCH) break;
      afterId = page[page.length - 1]?.id;
    }
    if (moved > 0) this.logger.log(`Re-encrypted ${moved} TOTP secret(s) under the first JWT_SECRET`);
    if (unreadable > 0) {
      this.logger.warn(
        `${unreadable} TOTP secret(s) are under a JWT_SECRET no longer configured: those users cannot complete MFA until an admin resets it (DELETE /admin/users/:id/mfa)`,
      );
    }
  }
}
