import { createHmac } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { AppConfig } from '../../config/app-config';

/**
 * bcrypt over a keyed pre-hash: base64(HMAC-SHA-384(PASSWORD_PEPPER, password)) is 64 ASCII
 * characters, under bcrypt's 72-byte limit, so every character of a long password counts and
 * a stolen table cannot be attacked without the pepper. Async bcrypt only: it runs on the thread pool.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash = '';

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash('timing-equaliser-for-unknown-users');
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(this.prehash(password), this.config.bcryptCost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(this.prehash(password), hash);
  }

  /** Costs the same as a real check, for a login whose user does not exist or may not log in. */
  async verifyAgainstDummy(password: string): Promise<false> {
    await bcrypt.compare(this.prehash(password), this.dummyHash);
    return false;
  }

  needsRehash(hash: string): boolean {
    return bcrypt.getRounds(hash) < this.config.bcryptCost;
  }

  private prehash(password: string): string {
    return createHmac('sha384', this.config.passwordPepper).update(password, 'utf8').digest('base64');
  }
}
