import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError } from './config-validation.error';
import { loadConfig } from './load-config';

const strong = (seed: string) => `${seed}-${'k'.repeat(40)}`;
const productionEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app@db.internal:5432/app',
  SESSION_SECRET: strong('session'),
  JWT_SECRET: strong('jwt'),
  PASSWORD_PEPPER: strong('pepper'),
  SMTP_URL: 'smtp://mail.internal:25',
  APP_URL: 'https://auth.example.com',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const { APP_URL: _default, ...developmentEnv } = productionEnv;
    const config = loadConfig({ ...developmentEnv, NODE_ENV: 'development' });

    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      jwtAccessTtlSeconds: 900,
      jwtRefreshTtlSeconds: 2_592_000,
      jwtClockToleranceSeconds: 0,
      refreshReuseGraceSeconds: 0,
      sessionIdleTimeoutSeconds: 1800,
      sessionAbsoluteTimeoutSeconds: 43200,
      bcryptCost: 12,
      cookieSecure: false,
      bodyLimit: '100kb',
      appUrl: 'http://localhost:3000',
      trustProxyHops: 0,
      cookieSameSite: 'lax',
      cookieDomain: undefined,
      shutdownTimeoutSeconds: 10,
    });
  });

  it('accepts a complete production configuration and turns Secure cookies on', () => {
    expect(loadConfig(productionEnv).cookieSecure).toBe(true);
  });

  it('splits comma-separated secrets, the first one first', () => {
    const config = loadConfig({ ...productionEnv, JWT_SECRET: `${strong('new')}, ${strong('old')}` });

    expect(config.jwtSecrets).toEqual([strong('new'), strong('old')]);
  });

  it('reports every production problem at once', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      SESSION_SECRET: 'short',
      JWT_SECRET: 'changeme',
      BCRYPT_COST: '8',
      PORT: 'eighty',
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        'SESSION_SECRET must be at least 32 bytes',
        'JWT_SECRET must be at least 32 bytes',
        'PASSWORD_PEPPER is required in production',
        'BCRYPT_COST must be at least 10 in production (got 8)',
        expect.stringContaining('PORT must be an integer'),
        expect.stringContaining('SMTP_URL is required in production'),
        expect.stringContaining('DATABASE_URL is required in production'),
      ]),
    );
  });

  it('refuses a long placeholder secret in production', () => {
    expect(problemsOf({ ...productionEnv, JWT_SECRET: 'your-secret-here-please-change-this-value' })).toEqual([
      'JWT_SECRET is a placeholder, not a secret',
    ]);
  });

  it('refuses a short rotated-out key in production, naming its position', () => {
    expect(problemsOf({ ...productionEnv, SESSION_SECRET: `${strong('a')},tiny` })).toEqual([
      'SESSION_SECRET (entry 2) must be at least 32 bytes',
    ]);
  });

  it('in development, generates missing secrets once and keeps them in the data folder', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'config-spec-'));
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });

    expect(first.jwtSecrets[0]).toHaveLength(64);
    expect(second.jwtSecrets).toEqual(first.jwtSecrets);
    expect(second.sessionSecrets).toEqual(first.sessionSecrets);
    expect(second.passwordPepper).toBe(first.passwordPepper);
    expect(first.sessionSecrets[0]).not.toBe(first.jwtSecrets[0]);
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8'))).toHaveProperty('JWT_SECRET', first.jwtSecrets[0]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000', 'http://app.localhost'])(
    'refuses the local APP_URL %s in production',
    (appUrl) => {
      expect(problemsOf({ ...productionEnv, APP_URL: appUrl })).toEqual([expect.stringContaining('APP_URL must be')]);
    },
  );

  it('refuses a production configuration that leaves APP_URL at its localhost default', () => {
    const { APP_URL: _unset, ...withoutAppUrl } = productionEnv;

    expect(problemsOf(withoutAppUrl)).toEqual([expect.stringContaining('APP_URL must be')]);
  });

  it('accepts a localhost APP_URL outside production', () => {
    expect(loadConfig({ ...productionEnv, NODE_ENV: 'development', APP_URL: 'http://localhost:8080' }).appUrl).toBe(
      'http://localhost:8080',
    );
  });

  it.each(['0', '-1', 'ten', '601'])('refuses SHUTDOWN_TIMEOUT=%s', (value) => {
    expect(problemsOf({ ...productionEnv, SHUTDOWN_TIMEOUT: value })).toEqual([expect.stringContaining('SHUTDOWN_TIMEOUT')]);
  });

  it('reads SHUTDOWN_TIMEOUT in seconds', () => {
    expect(loadConfig({ ...productionEnv, SHUTDOWN_TIMEOUT: '25' }).shutdownTimeoutSeconds).toBe(25);
  });

  it('refuses CORS wildcards', () => {
    expect(problemsOf({ ...productionEnv, CORS_ORIGINS: '*' })).toEqual([expect.stringContaining('CORS_ORIGINS')]);
  });

  describe('COOKIE_SAMESITE', () => {
    const development = { ...productionEnv, NODE_ENV: 'development' };

    it.each([
      ['strict', 'strict'],
      ['Lax', 'lax'],
      ['NONE', 'none'],
    ])('reads %s as %s', (given, expected) => {
      expect(loadConfig({ ...productionEnv, COOKIE_SAMESITE: given }).cookieSameSite).toBe(expected);
    });

    it('refuses another value', () => {
      expect(problemsOf({ ...development, COOKIE_SAMESITE: 'relaxed' })).toEqual([
        'COOKIE_SAMESITE must be lax, strict or none (got "relaxed")',
      ]);
    });

    it('refuses none without Secure cookies, naming the way out', () => {
      expect(problemsOf({ ...development, COOKIE_SAMESITE: 'none' })).toEqual([
        'COOKIE_SAMESITE=none requires Secure cookies: set COOKIE_SECURE=true (or NODE_ENV=production)',
      ]);
      expect(problemsOf({ ...productionEnv, COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'false' })).toHaveLength(1);
    });

    it('accepts none with COOKIE_SECURE=true, or in production', () => {
      expect(loadConfig({ ...development, COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'true' })).toMatchObject({
        cookieSameSite: 'none',
        cookieSecure: true,
      });
      expect(loadConfig({ ...productionEnv, COOKIE_SAMESITE: 'none' }).cookieSameSite).toBe('none');
    });
  });

  describe('COOKIE_DOMAIN', () => {
    it.each([
      ['example.test', 'example.test'],
      ['Example.TEST', 'example.test'],
      ['.example.test', 'example.test'],
      ['api.eu.example.co.uk', 'api.eu.example.co.uk'],
    ])('reads %s as %s', (given, expected) => {
      expect(loadConfig({ ...productionEnv, COOKIE_DOMAIN: given }).cookieDomain).toBe(expected);
    });

    it.each([
      ['https://example.test'],
      ['example.test:443'],
      ['example.test/app'],
      ['localhost'],
      ['exa mple.test'],
      ['-bad.example.test'],
      ['a..b'],
    ])('refuses %s', (given) => {
      expect(problemsOf({ ...productionEnv, COOKIE_DOMAIN: given })).toEqual([
        expect.stringContaining('COOKIE_DOMAIN must be a host name'),
      ]);
    });
  });
  describe('several instances', () => {
    it('defaults the listener and migration URLs to DATABASE_URL, and Redis to off', () => {
      const config = loadConfig(productionEnv);

      expect(config.databaseListenUrl).toBe(productionEnv.DATABASE_URL);
      expect(config.databaseMigrationUrl).toBe(productionEnv.DATABASE_URL);
      expect(config.redisUrl).toBeUndefined();
      expect(config.redisKeyPrefix).toBe('nest-auth:');
    });

    it('takes a listener URL, a migration URL and a Redis URL of their own', () => {
      const config = loadConfig({
        ...productionEnv,
        DATABASE_URL: 'postgres://app@pgbouncer.internal:6432/app',
        DATABASE_LISTEN_URL: 'postgres://app@db.internal:5432/app',
        DATABASE_MIGRATION_URL: 'postgresql://owner@db.internal:5432/app',
        REDIS_URL: 'rediss://cache.internal:6380/2',
        REDIS_KEY_PREFIX: 'auth-eu:',
      });

      expect(config).toMatchObject({
        databaseUrl: 'postgres://app@pgbouncer.internal:6432/app',
        databaseListenUrl: 'postgres://app@db.internal:5432/app',
        databaseMigrationUrl: 'postgresql://owner@db.internal:5432/app',
        redisUrl: 'rediss://cache.internal:6380/2',
        redisKeyPrefix: 'auth-eu:',
      });
    });

    it('refuses bad URLs without echoing them (they may carry a password), and a listener URL without DATABASE_URL', () => {
      const { DATABASE_URL: _unset, ...withoutDatabase } = productionEnv;
      const problems = problemsOf({
        ...withoutDatabase,
        NODE_ENV: 'development',
        DATABASE_LISTEN_URL: 'postgres://app:hunter2@db.internal/app',
        DATABASE_MIGRATION_URL: 'mysql://app:hunter2@db.internal/app',
        REDIS_URL: 'not a url hunter2',
        REDIS_KEY_PREFIX: 'has spaces',
      });

      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringContaining('DATABASE_LISTEN_URL needs DATABASE_URL'),
          expect.stringContaining('DATABASE_MIGRATION_URL must use postgres: or postgresql:'),
          'REDIS_URL is not a valid URL',
          expect.stringContaining('REDIS_KEY_PREFIX must be'),
        ]),
      );
      expect(problems.join(' ')).not.toContain('hunter2');
    });
  });

  describe('JWT_ALGORITHM and JWT_PRIVATE_KEYS', () => {
    let dir: string;
    const pemFile = (name: string, key: ReturnType<typeof generateKeyPairSync>['privateKey'] | string): string => {
      const file = join(dir, name);
      writeFileSync(file, typeof key === 'string' ? key : key.export({ format: 'pem', type: 'pkcs8' }));
      return file;
    };
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'config-keys-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('defaults to HS256 with no private key', () => {
      expect(loadConfig(productionEnv)).toMatchObject({ jwtAlgorithm: 'HS256', jwtPrivateKeys: [] });
    });

    it('reads ES256 and EdDSA keys from PEM files, in the order given', () => {
      const first = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const second = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const config = loadConfig({
        ...productionEnv,
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEYS: `${pemFile('a.pem', first)}, ${pemFile('b.pem', second)}`,
      });
      expect(config.jwtPrivateKeys.map((key) => key.equals(first))).toEqual([true, false]);
      expect(config.jwtPrivateKeys[1]?.equals(second)).toBe(true);

      const ed = generateKeyPairSync('ed25519').privateKey;
      expect(
        loadConfig({ ...productionEnv, JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEYS: pemFile('ed.pem', ed) }).jwtPrivateKeys[0]?.equals(ed),
      ).toBe(true);
    });

    it('refuses in production an asymmetric algorithm without keys', () => {
      expect(problemsOf({ ...productionEnv, JWT_ALGORITHM: 'ES256' })).toEqual([
        expect.stringContaining('JWT_PRIVATE_KEYS is required in production'),
      ]);
    });

    it('refuses a missing file, a file that is no private key and a key of the wrong type, naming each file', () => {
      const missing = join(dir, 'missing.pem');
      const publicOnly = pemFile('public.pem', generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString());
      const ed = pemFile('ed.pem', generateKeyPairSync('ed25519').privateKey);
      const p384 = pemFile('p384.pem', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey);
      const problems = problemsOf({
        ...productionEnv,
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEYS: [missing, publicOnly, ed, p384].join(','),
      });

      expect(problems).toEqual([
        `JWT_PRIVATE_KEYS: cannot read ${missing} (ENOENT)`,
        `JWT_PRIVATE_KEYS: ${publicOnly} is not a PEM private key`,
        `JWT_PRIVATE_KEYS: ${ed} is not an EC P-256 private key, as JWT_ALGORITHM=ES256 needs`,
        `JWT_PRIVATE_KEYS: ${p384} is not an EC P-256 private key, as JWT_ALGORITHM=ES256 needs`,
      ]);
    });

    it('refuses an unknown algorithm, and keys under HS256', () => {
      expect(problemsOf({ ...productionEnv, JWT_ALGORITHM: 'RS256' })).toEqual([
        expect.stringContaining('JWT_ALGORITHM must be HS256, ES256, EdDSA'),
      ]);
      expect(problemsOf({ ...productionEnv, JWT_PRIVATE_KEYS: pemFile('x.pem', generateKeyPairSync('ed25519').privateKey) })).toEqual([
        expect.stringContaining('JWT_PRIVATE_KEYS is set but JWT_ALGORITHM is HS256'),
      ]);
    });

    it('in development, generates one key once into the data folder, readable by its owner only', () => {
      const first = loadConfig({ DATA_DIR: dir, JWT_ALGORITHM: 'EdDSA' });
      const second = loadConfig({ DATA_DIR: dir, JWT_ALGORITHM: 'EdDSA' });

      expect(first.jwtPrivateKeys).toHaveLength(1);
      expect(first.jwtPrivateKeys[0]?.asymmetricKeyType).toBe('ed25519');
      expect(second.jwtPrivateKeys[0]?.equals(first.jwtPrivateKeys[0] as never)).toBe(true);
      expect(statSync(join(dir, 'jwt-eddsa.pem')).mode & 0o777).toBe(0o600);
    });
  });
});
