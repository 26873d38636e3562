import { createHmac } from 'node:crypto';
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { AppConfig } from '../../config/app-config';
import { HashingSlots } from './hashing-slots';

/**
 * bcrypt over a keyed pre-hash: base64(HMAC-SHA-384(PASSWORD_PEPPER, password)) is 64 ASCII
 * characters, under bcrypt's 72-byte limit, so every character of a long password counts and
 * a stolen table cannot be attacked without the pepper. Async bcrypt only: it runs on libuv's thread
 * pool, at most one hash per core at a time and one fewer while the main thread is busy
 * ({@link HashingSlots}), so a login storm queues logins instead of taking every pool thread (the pg
 * driver's SCRAM handshake, DNS and file I/O need them) and every core from the other routes.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit, OnModuleDestroy {
  private dummyHash = '';
  private readonly slots = new HashingSlots();

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash('timing-equaliser-for-unknown-users');
    this.slots.start();
  }

  onModuleDestroy(): void {
    this.slots.stop();
  }

  hash(password: string): Promise<string> {
    return this.slots.run(() => bcrypt.hash(this.prehash(password), this.config.bcryptCost));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.slots.run(() => bcrypt.compare(this.prehash(password), hash));
  }

  /** Costs the same as a real check, for a login whose user does not exist or may not log in. */
  async verifyAgainstDummy(password: string): Promise<false> {
    await this.slots.run(() => bcrypt.compare(this.prehash(password), this.dummyHash));
    return false;
  }

  needsRehash(hash: string): boolean {
    return bcrypt.getRounds(hash) < this.config.bcryptCost;
  }

  private prehash(password: string): string {
    return createHmac('sha384', this.config.passwordPepper).update(password, 'utf8').digest('base64');
  }
}
