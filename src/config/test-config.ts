import { AppConfig } from './app-config';
import { loadConfig } from './load-config';

/** A configuration for unit specs: every secret given, so nothing is generated on disk. */
export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: 'session-secret-for-unit-specs-0123456789',
    JWT_SECRET: 'jwt-secret-for-unit-specs-0123456789abcdef',
    PASSWORD_PEPPER: 'pepper-for-unit-specs-0123456789abcdef',
    ...env,
  });
}
