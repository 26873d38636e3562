import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GENERATED_SECRET_NAMES = ['SESSION_SECRET', 'JWT_SECRET', 'PASSWORD_PEPPER'] as const;
export type GeneratedSecretName = (typeof GENERATED_SECRET_NAMES)[number];
export type GeneratedSecrets = Record<GeneratedSecretName, string>;

/**
 * Development only: secrets generated once and kept beside the embedded database,
 * so a restart keeps sessions, tokens and password hashes valid.
 */
export function loadOrCreateDevSecrets(dataDir: string): GeneratedSecrets {
  const file = join(dataDir, 'secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<GeneratedSecrets>) : {};
  const secrets = {} as GeneratedSecrets;
  let changed = false;
  for (const name of GENERATED_SECRET_NAMES) {
    const existing = stored[name];
    if (typeof existing === 'string' && existing.length > 0) {
      secrets[name] = existing;
    } else {
      secrets[name] = randomBytes(48).toString('base64url');
      changed = true;
    }
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return secrets;
}
