import type { KeyObject } from 'node:crypto';

/** The service's configuration, validated once at boot (see load-config.ts). */
export abstract class AppConfig {
  abstract readonly nodeEnv: string;
  abstract readonly isProduction: boolean;
  abstract readonly dataDir: string;
  /** As root: where the embedded PostgreSQL's binaries and clusters go (the postgres OS user must reach them). */
  abstract readonly embeddedPostgresDir: string;
  /** Unset means: start the embedded PostgreSQL. */
  abstract readonly databaseUrl: string | undefined;
  /** The revocation listener's connection (LISTEN needs a session: no transaction pooler); defaults to databaseUrl. */
  abstract readonly databaseListenUrl: string | undefined;
  /** Where migrations run (a direct connection, not a pooler); defaults to databaseUrl. */
  abstract readonly databaseMigrationUrl: string | undefined;
  /** Hot paths' statements are named, so PostgreSQL plans them once per connection (off behind a pooler that cannot keep them). */
  abstract readonly databasePreparedStatements: boolean;
  /** Optional: a second cross-instance revocation channel (pub/sub) and the per-IP throttle's counts. */
  abstract readonly redisUrl: string | undefined;
  /** Prefix of every Redis key and channel, so several deployments (or tests) can share one Redis. */
  abstract readonly redisKeyPrefix: string;
  abstract readonly port: number;
  abstract readonly host: string;
  abstract readonly logLevel: string;
  /** The first signs, all verify. */
  abstract readonly sessionSecrets: readonly string[];
  /** The first signs, all verify (by `kid`). */
  abstract readonly jwtSecrets: readonly string[];
  /** `HS256` signs with `jwtSecrets`; `ES256` and `EdDSA` with `jwtPrivateKeys`. */
  abstract readonly jwtAlgorithm: JwtAlgorithm;
  /** Asymmetric private keys (parsed once); the first signs, all verify. Empty under HS256. */
  abstract readonly jwtPrivateKeys: readonly KeyObject[];
  abstract readonly jwtIssuer: string;
  abstract readonly jwtAudience: string;
  abstract readonly jwtAccessTtlSeconds: number;
  abstract readonly jwtRefreshTtlSeconds: number;
  abstract readonly jwtClockToleranceSeconds: number;
  abstract readonly refreshReuseGraceSeconds: number;
  abstract readonly sessionIdleTimeoutSeconds: number;
  abstract readonly sessionAbsoluteTimeoutSeconds: number;
  abstract readonly bcryptCost: number;
  abstract readonly passwordPepper: string;
  abstract readonly cookieSecure: boolean;
  /** SameSite of `sid` and `access_token`; `none` only with Secure cookies. */
  abstract readonly cookieSameSite: CookieSameSite;
  /** Domain attribute of every cookie the service sets and clears; undefined means host-only. */
  abstract readonly cookieDomain: string | undefined;
  abstract readonly corsOrigins: readonly string[];
  /** 0 turns every throttle off. */
  abstract readonly throttleLoginLimit: number;
  abstract readonly throttleTtlSeconds: number;
  /** Number of reverse-proxy hops whose X-Forwarded-For is trusted; 0 trusts none. */
  abstract readonly trustProxyHops: number;
  abstract readonly bootstrapAdmin: BootstrapAdminConfig | undefined;
  abstract readonly smtpUrl: string | undefined;
  abstract readonly mailOutboxDir: string;
  abstract readonly bodyLimit: string;
  abstract readonly appUrl: string;
  /** Refuse logins whose email is unverified (403 EMAIL_NOT_VERIFIED). */
  abstract readonly requireEmailVerification: boolean;
  /** Sender address of every mail. */
  abstract readonly mailFrom: string;
  /** Seconds a SIGTERM or SIGINT waits for in-flight requests before the process exits. */
  abstract readonly shutdownTimeoutSeconds: number;
}

export const JWT_ALGORITHMS = ['HS256', 'ES256', 'EdDSA'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export const COOKIE_SAME_SITE_VALUES = ['lax', 'strict', 'none'] as const;
export type CookieSameSite = (typeof COOKIE_SAME_SITE_VALUES)[number];

export interface BootstrapAdminConfig {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}
