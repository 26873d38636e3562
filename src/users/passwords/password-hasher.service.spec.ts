import { testConfig } from '../../config/test-config';
import { PasswordHasher } from './password-hasher.service';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(testConfig({ BCRYPT_COST: '4' }));

  beforeAll(async () => {
    await hasher.onModuleInit();
  });

  it('verifies the password it hashed, and no other', async () => {
    const hash = await hasher.hash('correct horse battery');

    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(await hasher.verify('correct horse battery', hash)).toBe(true);
    expect(await hasher.verify('correct horse batterz', hash)).toBe(false);
  });

  it('counts every character: passwords that differ only after the 72nd byte do not both verify', async () => {
    const prefix = 'x'.repeat(72);
    const hash = await hasher.hash(`${prefix}a`);

    expect(await hasher.verify(`${prefix}b`, hash)).toBe(false);
  });

  it('depends on the pepper: another pepper does not verify the same hash', async () => {
    const other = new PasswordHasher(testConfig({ BCRYPT_COST: '4', PASSWORD_PEPPER: 'another-pepper-for-unit-specs-0123456789' }));
    const hash = await hasher.hash('correct horse battery');

    expect(await other.verify('correct horse battery', hash)).toBe(false);
  });

  it('asks for a rehash below the configured cost only', async () => {
    const stronger = new PasswordHasher(testConfig({ BCRYPT_COST: '5' }));
    const hash = await hasher.hash('correct horse battery');

    expect(hasher.needsRehash(hash)).toBe(false);
    expect(stronger.needsRehash(hash)).toBe(true);
  });
});
