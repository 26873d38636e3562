import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';

const FORMAT_VERSION = 'v1';
const HKDF_SALT = 'nest-auth-backend';
const HKDF_INFO = 'mfa totp secret encryption v1';
const IV_BYTES = 12;

interface CipherKey {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * Encrypts TOTP secrets at rest with AES-256-GCM. Keys are derived with HKDF-SHA-256 from each
 * JWT_SECRET value under a label of their own (so they are never the signing keys themselves); the
 * first encrypts, every one decrypts, found by the key id stored with the ciphertext: rotating
 * JWT_SECRET (new first, old kept) keeps every secret readable, and {@link TotpSecretReencryption}
 * moves them under the new key. Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>`.
 */
@Injectable()
export class TotpSecretCipher {
  private readonly current: CipherKey;
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(config: AppConfig) {
    const keys = config.jwtSecrets.map((secret): CipherKey => {
      const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), HKDF_SALT, HKDF_INFO, 32));
      return { id: createHash('sha256').update(key).digest('base64url').slice(0, 12), key };
    });
    const [first] = keys;
    if (first === undefined) throw new Error('JWT_SECRET holds no key to derive the MFA key from');
    this.current = first;
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  /** The id of the key that encrypts, the second field of every ciphertext it writes. */
  get currentKeyId(): string {
    return this.current.id;
  }

  /** True when the stored ciphertext is under the key that encrypts now. */
  isCurrent(stored: string): boolean {
    return keyIdOf(stored) === this.current.id;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(FORMAT_VERSION));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      FORMAT_VERSION,
      this.current.id,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ciphertext.toString('base64url'),
    ].join('.');
  }

  /** The plaintext, or undefined when no configured secret's key opens it (or it was tampered with). */
  decrypt(stored: string): string | undefined {
    const [version, id, iv, tag, ciphertext] = stored.split('.');
    const key = id === undefined ? undefined : this.byId.get(id);
    if (version !== FORMAT_VERSION || key === undefined || iv === undefined || tag === undefined || ciphertext === undefined)
      return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(FORMAT_VERSION));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

function keyIdOf(stored: string): string | undefined {
  return stored.split('.', 3)[1];
}
