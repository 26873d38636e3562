import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CHROMIUM } from './browser';

/**
 * The browser tests run against the machine's PostgreSQL (127.0.0.1:5432, trust, user postgres)
 * unless DATABASE_URL names another server; each spec file creates a fresh database on it.
 */
export default function globalSetup(): void {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run .ci/browser-setup (installs Debian's chromium)`);
  if (!existsSync(resolve('dist/src/main.js')))
    throw new Error('dist/src/main.js is missing: npm run build (npm run test:browser does it)');
}
