import { createPrivateKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JWT_ALGORITHMS, JwtAlgorithm } from './app-config';
import { EnvReader } from './env-reader';

/** What each asymmetric algorithm needs, in words an operator can act on. */
const KEY_TYPES: Record<Exclude<JwtAlgorithm, 'HS256'>, { readonly matches: (key: KeyObject) => boolean; readonly name: string }> = {
  ES256: {
    matches: (key) => key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1',
    name: 'an EC P-256 private key',
  },
  EdDSA: { matches: (key) => key.asymmetricKeyType === 'ed25519', name: 'an Ed25519 private key' },
};

export interface JwtSigningKeys {
  readonly algorithm: JwtAlgorithm;
  /** Private keys, the first signs; empty under HS256. */
  readonly privateKeys: readonly KeyObject[];
}

/**
 * `JWT_ALGORITHM` and `JWT_PRIVATE_KEYS` (PEM files, comma-separated). Every problem is reported: a
 * file that cannot be read, is not a private key, or is of another type than the algorithm needs.
 * In development, with no file given, one key is generated once into DATA_DIR (mode 0600).
 */
export function readJwtSigningKeys(read: EnvReader, isProduction: boolean, dataDir: string): JwtSigningKeys {
  const value = read.string('JWT_ALGORITHM', 'HS256');
  const paths = read.list('JWT_PRIVATE_KEYS');
  if (!(JWT_ALGORITHMS as readonly string[]).includes(value)) {
    read.problems.push(`JWT_ALGORITHM must be ${JWT_ALGORITHMS.join(', ')} (got "${value}")`);
    return { algorithm: 'HS256', privateKeys: [] };
  }
  const algorithm = value as JwtAlgorithm;
  if (algorithm === 'HS256') {
    if (paths.length > 0) read.problems.push('JWT_PRIVATE_KEYS is set but JWT_ALGORITHM is HS256: set JWT_ALGORITHM=ES256 or EdDSA');
    return { algorithm, privateKeys: [] };
  }
  if (paths.length === 0) {
    if (isProduction) {
      read.problems.push(
        `JWT_PRIVATE_KEYS is required in production with JWT_ALGORITHM=${algorithm} (PEM files of ${KEY_TYPES[algorithm].name})`,
      );
      return { algorithm, privateKeys: [] };
    }
    return { algorithm, privateKeys: [loadOrCreateDevKey(dataDir, algorithm)] };
  }
  const privateKeys: KeyObject[] = [];
  for (const path of paths) {
    const key = readPrivateKey(read, path);
    if (key === undefined) continue;
    if (!KEY_TYPES[algorithm].matches(key)) {
      read.problems.push(`JWT_PRIVATE_KEYS: ${path} is not ${KEY_TYPES[algorithm].name}, as JWT_ALGORITHM=${algorithm} needs`);
      continue;
    }
    privateKeys.push(key);
  }
  return { algorithm, privateKeys };
}

function readPrivateKey(read: EnvReader, path: string): KeyObject | undefined {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    read.problems.push(`JWT_PRIVATE_KEYS: cannot read ${path} (${code})`);
    return undefined;
  }
  try {
    return createPrivateKey(pem);
  } catch {
    // Never the library's message: it could quote the file.
    read.problems.push(`JWT_PRIVATE_KEYS: ${path} is not a PEM private key`);
    return undefined;
  }
}

/** Development only: one key per algorithm, generated once, so a restart keeps tokens valid. */
function loadOrCreateDevKey(dataDir: string, algorithm: Exclude<JwtAlgorithm, 'HS256'>): KeyObject {
  const file = join(dataDir, `jwt-${algorithm.toLowerCase()}.pem`);
  if (existsSync(file)) return createPrivateKey(readFileSync(file, 'utf8'));
  const { privateKey } = algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  chmodSync(file, 0o600);
  return privateKey;
}
