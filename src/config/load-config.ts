import { resolve } from 'node:path';
import { AppConfig, BootstrapAdminConfig, COOKIE_SAME_SITE_VALUES, CookieSameSite } from './app-config';
import { ConfigValidationError } from './config-validation.error';
import { GENERATED_SECRET_NAMES, GeneratedSecrets, loadOrCreateDevSecrets } from './dev-secrets';
import { EnvReader } from './env-reader';
import { readJwtSigningKeys } from './jwt-signing-keys';

const MIN_SECRET_BYTES = 32;
const MIN_PRODUCTION_BCRYPT_COST = 10;
/** A host name (letters, digits, hyphens, dots), optionally with the leading dot of old RFC 2109 spellings. */
const COOKIE_DOMAIN = /^\.?(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const PLACEHOLDER_SECRET =
  /^(change[-_ ]?me|changeit|secret|password|placeholder|todo|test|example|dev|default|x+|0+|your[-_ ]?secret.*|replace[-_ ]?me.*|.*change[-_ ]?this.*)$/i;

/**
 * Builds the typed configuration from an environment (by default `process.env`, the only place
 * the service reads it). Throws {@link ConfigValidationError} listing every problem at once.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): AppConfig {
  const read = new EnvReader(env);
  const nodeEnv = read.string('NODE_ENV', 'development');
  const isProduction = nodeEnv === 'production';
  const dataDir = resolve(read.string('DATA_DIR', '.data'));

  const secrets = readSecrets(read, isProduction, dataDir);
  const jwtSigningKeys = readJwtSigningKeys(read, isProduction, dataDir);
  const bcryptCost = read.integer('BCRYPT_COST', 12, 4, 31);
  if (isProduction && bcryptCost < MIN_PRODUCTION_BCRYPT_COST) {
    read.problems.push(`BCRYPT_COST must be at least ${MIN_PRODUCTION_BCRYPT_COST} in production (got ${bcryptCost})`);
  }
  const smtpUrl = read.url('SMTP_URL', undefined, ['smtp:', 'smtps:']);
  if (isProduction && smtpUrl === undefined) {
    read.problems.push('SMTP_URL is required in production (password-reset mail cannot be sent otherwise)');
  }
  if (isProduction && read.raw('DATABASE_URL') === undefined) {
    read.problems.push('DATABASE_URL is required in production (the embedded PostgreSQL is for development)');
  }
  const bodyLimit = read.string('BODY_LIMIT', '100kb');
  if (!/^\d+(b|kb|mb)?$/i.test(bodyLimit)) {
    read.problems.push(`BODY_LIMIT must look like 100kb, 1mb or 2048 (got "${bodyLimit}")`);
  }
  const sessionIdleTimeoutSeconds = read.integer('SESSION_IDLE_TIMEOUT', 1800, 1);
  const sessionAbsoluteTimeoutSeconds = read.integer('SESSION_ABSOLUTE_TIMEOUT', 43200, 1);
  const appUrl = read.url('APP_URL', 'http://localhost:3000', ['http:', 'https:']) ?? 'http://localhost:3000';
  if (isProduction && isLocalUrl(appUrl)) {
    read.problems.push(
      `APP_URL must be the service's public URL in production, not a local one (got "${appUrl}"); links sent by mail would point nowhere`,
    );
  }
  const corsOrigins = read.list('CORS_ORIGINS');
  for (const origin of corsOrigins) {
    if (origin === '*' || origin === 'null' || !/^https?:\/\/[^/]+$/.test(origin)) {
      read.problems.push(`CORS_ORIGINS entries must be origins such as https://app.example.com (got "${origin}")`);
    }
  }
  const database = readDatabaseUrls(read);
  const cookieSecure = read.boolean('COOKIE_SECURE', isProduction);
  const cookieSameSite = readCookieSameSite(read, cookieSecure);
  const cookieDomain = readCookieDomain(read);

  const config: AppConfig = {
    nodeEnv,
    isProduction,
    dataDir,
    embeddedPostgresDir: resolve(read.string('EMBEDDED_POSTGRES_DIR', '/var/lib/nest-auth-backend')),
    ...database,
    databasePreparedStatements: read.boolean('DATABASE_PREPARED_STATEMENTS', true),
    redisUrl: read.url('REDIS_URL', undefined, ['redis:', 'rediss:']),
    redisKeyPrefix: readRedisKeyPrefix(read),
    port: read.integer('PORT', 3000, 0, 65535),
    host: read.string('HOST', '127.0.0.1'),
    logLevel: read.string('LOG_LEVEL', 'info'),
    sessionSecrets: secrets.SESSION_SECRET,
    jwtSecrets: secrets.JWT_SECRET,
    jwtAlgorithm: jwtSigningKeys.algorithm,
    jwtPrivateKeys: jwtSigningKeys.privateKeys,
    jwtIssuer: read.string('JWT_ISSUER', 'nest-auth-backend'),
    jwtAudience: read.string('JWT_AUDIENCE', 'nest-auth-backend-api'),
    jwtAccessTtlSeconds: read.integer('JWT_ACCESS_TTL', 900, 1),
    jwtRefreshTtlSeconds: read.integer('JWT_REFRESH_TTL', 2_592_000, 1),
    jwtClockToleranceSeconds: read.integer('JWT_CLOCK_TOLERANCE', 0, 0, 300),
    refreshReuseGraceSeconds: read.integer('REFRESH_REUSE_GRACE', 0, 0, 300),
    sessionIdleTimeoutSeconds,
    sessionAbsoluteTimeoutSeconds,
    bcryptCost,
    passwordPepper: secrets.PASSWORD_PEPPER[0] ?? '',
    cookieSecure,
    cookieSameSite,
    cookieDomain,
    corsOrigins,
    throttleLoginLimit: read.integer('THROTTLE_LOGIN_LIMIT', 5, 0),
    throttleTtlSeconds: read.integer('THROTTLE_TTL', 60, 1),
    trustProxyHops: read.integer('TRUST_PROXY', 0, 0, 10),
    bootstrapAdmin: readBootstrapAdmin(read),
    smtpUrl,
    mailOutboxDir: resolve(read.string('MAIL_OUTBOX_DIR', resolve(dataDir, 'outbox'))),
    bodyLimit,
    appUrl,
    requireEmailVerification: read.boolean('REQUIRE_EMAIL_VERIFICATION', false),
    mailFrom: read.string('MAIL_FROM', 'nest-auth-backend <no-reply@localhost>'),
    shutdownTimeoutSeconds: read.integer('SHUTDOWN_TIMEOUT', 10, 1, 600),
  };

  if (read.problems.length > 0) throw new ConfigValidationError(read.problems);
  return Object.freeze(config);
}

const POSTGRES_PROTOCOLS = ['postgres:', 'postgresql:'];

/** DATABASE_LISTEN_URL and DATABASE_MIGRATION_URL default to DATABASE_URL, and need it (the embedded server has one URL). */
function readDatabaseUrls(read: EnvReader): Pick<AppConfig, 'databaseUrl' | 'databaseListenUrl' | 'databaseMigrationUrl'> {
  const databaseUrl = read.url('DATABASE_URL', undefined, POSTGRES_PROTOCOLS);
  const databaseListenUrl = read.url('DATABASE_LISTEN_URL', databaseUrl, POSTGRES_PROTOCOLS);
  const databaseMigrationUrl = read.url('DATABASE_MIGRATION_URL', databaseUrl, POSTGRES_PROTOCOLS);
  for (const name of ['DATABASE_LISTEN_URL', 'DATABASE_MIGRATION_URL']) {
    if (read.raw(name) !== undefined && read.raw('DATABASE_URL') === undefined) {
      read.problems.push(`${name} needs DATABASE_URL (without it the embedded PostgreSQL serves every connection)`);
    }
  }
  return { databaseUrl, databaseListenUrl, databaseMigrationUrl };
}

function readRedisKeyPrefix(read: EnvReader): string {
  const value = read.string('REDIS_KEY_PREFIX', 'nest-auth:');
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(value)) {
    read.problems.push(`REDIS_KEY_PREFIX must be 1 to 64 of [A-Za-z0-9:._-] (got "${value}")`);
  }
  return value;
}

/** A URL only this machine can open: mail links built from it would be dead for everyone else. */
function isLocalUrl(url: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(url).hostname.toLowerCase();
  } catch {
    return false; // reported as invalid by read.url
  }
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    hostname === '0.0.0.0' ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname)
  );
}

function readSecrets(read: EnvReader, isProduction: boolean, dataDir: string): Record<keyof GeneratedSecrets, string[]> {
  const missing = GENERATED_SECRET_NAMES.filter((name) => read.list(name).length === 0);
  const generated = !isProduction && missing.length > 0 ? loadOrCreateDevSecrets(dataDir) : undefined;
  const result = {} as Record<keyof GeneratedSecrets, string[]>;
  for (const name of GENERATED_SECRET_NAMES) {
    const values = read.list(name);
    if (values.length === 0) {
      if (isProduction) read.problems.push(`${name} is required in production`);
      result[name] = generated ? [generated[name]] : [];
      continue;
    }
    if (name === 'PASSWORD_PEPPER' && values.length > 1) {
      read.problems.push('PASSWORD_PEPPER takes a single value (changing it invalidates every password)');
    }
    if (isProduction) {
      values.forEach((value, index) => {
        const label = values.length > 1 ? `${name} (entry ${index + 1})` : name;
        if (Buffer.byteLength(value, 'utf8') < MIN_SECRET_BYTES) {
          read.problems.push(`${label} must be at least ${MIN_SECRET_BYTES} bytes`);
        } else if (PLACEHOLDER_SECRET.test(value)) {
          read.problems.push(`${label} is a placeholder, not a secret`);
        }
      });
    }
    result[name] = values;
  }
  if (result.SESSION_SECRET.some((secret) => result.JWT_SECRET.includes(secret))) {
    read.problems.push('SESSION_SECRET and JWT_SECRET must not share a value');
  }
  return result;
}

function readCookieSameSite(read: EnvReader, cookieSecure: boolean): CookieSameSite {
  const value = read.string('COOKIE_SAMESITE', 'lax').toLowerCase();
  if (!(COOKIE_SAME_SITE_VALUES as readonly string[]).includes(value)) {
    read.problems.push(`COOKIE_SAMESITE must be lax, strict or none (got "${value}")`);
    return 'lax';
  }
  if (value === 'none' && !cookieSecure) {
    // Browsers drop a SameSite=None cookie that is not Secure: the login would seem to work and then not.
    read.problems.push('COOKIE_SAMESITE=none requires Secure cookies: set COOKIE_SECURE=true (or NODE_ENV=production)');
  }
  return value as CookieSameSite;
}

function readCookieDomain(read: EnvReader): string | undefined {
  const value = read.raw('COOKIE_DOMAIN')?.toLowerCase();
  if (value === undefined) return undefined;
  if (!COOKIE_DOMAIN.test(value) || !value.replace(/^\./, '').includes('.')) {
    read.problems.push(`COOKIE_DOMAIN must be a host name such as example.com, without scheme, port or path (got "${value}")`);
    return undefined;
  }
  return value.replace(/^\./, '');
}

function readBootstrapAdmin(read: EnvReader): BootstrapAdminConfig | undefined {
  const username = read.raw('BOOTSTRAP_ADMIN_USERNAME');
  const email = read.raw('BOOTSTRAP_ADMIN_EMAIL');
  const password = read.exact('BOOTSTRAP_ADMIN_PASSWORD');
  const given = [username, email, password].filter((value) => value !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3 || username === undefined || email === undefined || password === undefined) {
    read.problems.push('BOOTSTRAP_ADMIN_USERNAME, BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD go together');
    return undefined;
  }
  return { username, email, password };
}
