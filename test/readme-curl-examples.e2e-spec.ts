import { readFileSync } from 'node:fs';
import request from 'supertest';
import type { AppConfig } from '../src/config/app-config';
import { setCookie } from './utils/http';
import { type CurlBlock, type CurlCommand, curlBlocks, curlLineCount } from './utils/readme-curl';
import type { HttpExample } from './utils/readme-http';
import { type ExampleCheck, ReadmeReplay } from './utils/readme-replay';
import { startTestServer, type TestServer } from './utils/test-server';

const README = readFileSync('README.md', 'utf8');
const blocks = curlBlocks(README);

/** `$ curl` commands no replay here can send, each with why. Keep it short. */
const SKIPPED: Readonly<Record<string, string>> = {};

const PASSWORD = 'correct horse battery';

/**
 * The request as it reaches the service. `http://localhost:3000` is the service as `npm start` serves it:
 * here the test server. `https://api.example.test` is the service behind a TLS-terminating proxy, which
 * forwards to the same server and adds `X-Forwarded-Proto: https` (it counts with TRUST_PROXY). Either
 * way the Host header is the URL's, as curl and the proxy send it.
 */
function asReceived(command: CurlCommand): HttpExample {
  const { method, url, headers, body } = command.request;
  const forwarded: Record<string, ReadonlyArray<readonly [string, string]>> = {
    'http://localhost:3000': [['Host', url.host]],
    'https://api.example.test': [
      ['Host', url.host],
      ['X-Forwarded-Proto', 'https'],
    ],
  };
  const added = forwarded[url.origin];
  if (added === undefined) throw new Error(`README line ${command.line}: no server stands for ${url.origin}`);
  return {
    title: command.title,
    line: command.line,
    request: { method, path: url.pathname + url.search, headers: [...headers, ...added], body },
    answer: command.answer,
  };
}

/**
 * Every `Max-Age` a block shows is an example value: a cookie counts down from its lifetime in the
 * server's configuration, so the one shown and the real one are each at most that lifetime, and not
 * half of it gone.
 */
function maxAgeChecks(block: CurlBlock, config: AppConfig): Record<string, ExampleCheck> {
  const lifetimes: Readonly<Record<string, number>> = {
    access_token: config.jwtAccessTtlSeconds,
    refresh_token: config.jwtRefreshTtlSeconds,
    csrf_token: config.jwtRefreshTtlSeconds,
    sid: config.sessionAbsoluteTimeoutSeconds,
  };
  const checks: Record<string, ExampleCheck> = {};
  for (const { answer, line } of block.commands) {
    for (const [name, value] of answer.headers) {
      const shown = name.toLowerCase() === 'set-cookie' ? /^([^=]+)=.*?;\s*(Max-Age=\d+)/.exec(value) : null;
      if (shown === null) continue;
      const lifetime = lifetimes[shown[1]];
      if (lifetime === undefined) throw new Error(`README line ${line}: no lifetime known for the cookie ${shown[1]}`);
      const countsDown = (seconds: number) => Number.isInteger(seconds) && seconds <= lifetime && seconds > lifetime / 2;
      checks[`${shown[1]} ${shown[2]}`] = (got) => countsDown(Number(shown[2].slice('Max-Age='.length))) && countsDown(Number(got));
    }
  }
  return checks;
}

function blockUnder(section: string): CurlBlock {
  const found = blocks.filter((block) => block.section === section);
  if (found.length !== 1) throw new Error(`${found.length} curl blocks under "${section}", expected one`);
  return found[0];
}

describe('the README curl transcripts, replayed against the server each one names', () => {
  const replayed = new Set<string>();

  /**
   * Starts the server the block's `$ VAR=… npm start` line describes (with the test defaults beside
   * those variables), registers alice, lets `prepare` bind what no earlier answer of the block shows,
   * and replays the block's commands in order.
   */
  async function replayBlock(section: string, prepare?: (server: TestServer, readme: ReadmeReplay) => Promise<void>): Promise<void> {
    const block = blockUnder(section);
    // startTestServer runs dist/src/main.js, which is what `npm start` runs once it has built.
    expect(block.server.command).toBe('npm start');
    const server = await startTestServer({ env: { ...block.server.env } });
    try {
      const readme = new ReadmeReplay(server.http, block.commands.map(asReceived), maxAgeChecks(block, server.config));
      await request(server.http)
        .post('/auth/register')
        .send({ username: 'alice', email: 'alice@example.com', password: PASSWORD })
        .expect(201);
      await prepare?.(server, readme);
      for (const { title } of block.commands) {
        if (SKIPPED[title] !== undefined) continue;
        await readme.replay(title);
        replayed.add(title);
      }
    } catch (error) {
      throw new Error(`${String(error)}\n--- server output ---\n${server.output()}`, { cause: error });
    } finally {
      await server.close();
    }
  }

  it('finds every $ curl line of the README in a block it parses', () => {
    expect(blocks.flatMap(({ commands }) => commands)).toHaveLength(curlLineCount(README));
    expect(curlLineCount(README)).toBeGreaterThan(5);
  });

  it('Login CSRF: a foreign origin is refused a cookie, a listed one passes, the body transport is not checked', async () => {
    await replayBlock('Login CSRF');
  });

  it('Cookie attributes: COOKIE_DOMAIN and COOKIE_SAMESITE=none behind a TLS-terminating proxy', async () => {
    await replayBlock('Cookie attributes: COOKIE_SAMESITE and COOKIE_DOMAIN');
  });

  it('GET /auth/jwt/csrf: the CSRF token again, a logout with it, and a Bearer caller refused', async () => {
    await replayBlock('GET /auth/jwt/csrf', async (server, readme) => {
      // The block starts from a cookie login made before it.
      const login = await request(server.http)
        .post('/auth/jwt/login')
        .send({ username: 'alice', password: PASSWORD, transport: 'cookie' })
        .expect(200);
      readme.bind('eyJ…', setCookie(login, 'access_token')?.raw ?? '');
    });
  });

  it('names only npm scripts that package.json defines', () => {
    const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);
    const named = [...README.matchAll(/\bnpm (?:run ([\w:-]+)|(start|test)\b)/g)].map(([, script, shorthand]) => script ?? shorthand);
    expect(named.length).toBeGreaterThan(10);
    expect([...new Set(named)].filter((script) => !scripts.includes(script))).toEqual([]);
  });

  it('replays every $ curl command of the README, or lists it as skipped with a reason', () => {
    const titles = blocks.flatMap(({ commands }) => commands.map(({ title }) => title));
    expect(titles.filter((title) => !replayed.has(title) && SKIPPED[title] === undefined)).toEqual([]);
    expect(Object.keys(SKIPPED).filter((title) => !titles.includes(title))).toEqual([]);
  });
});
