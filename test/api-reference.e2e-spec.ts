import { readFileSync } from 'node:fs';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';

/**
 * Endpoints of docs/api.md this build does not serve yet, each with its issue. The list may only
 * shrink: an endpoint that starts being served must leave it (the test below says so).
 */
const NOT_YET_SERVED = new Set<string>([]);

/** `METHOD /path` of every endpoint row of the reference's tables, path parameters as OpenAPI spells them. */
function documentedEndpoints(): Set<string> {
  const reference = readFileSync('docs/api.md', 'utf8');
  const rows = [...reference.matchAll(/^\| (GET|POST|PUT|PATCH|DELETE) (\/[^\s|?]*)/gm)];
  return new Set(rows.map(([, method, path]) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`).filter((route) => route !== 'GET /docs'));
}

describe('docs/api.md, the API reference in this repository', () => {
  let t: TestApp;
  let served: Set<string>;

  beforeAll(async () => {
    t = await createTestApp();
    const document = (await request(t.http).get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    served = new Set(
      Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
  });

  afterAll(async () => {
    await t.close();
  });

  it('documents every operation of the OpenAPI document', () => {
    const documented = documentedEndpoints();

    expect([...served].filter((route) => !documented.has(route))).toEqual([]);
  });

  it('is served in full, but for the endpoints listed as not yet served', () => {
    const documented = documentedEndpoints();

    expect([...documented].filter((route) => !served.has(route) && !NOT_YET_SERVED.has(route))).toEqual([]);
    expect([...NOT_YET_SERVED].filter((route) => served.has(route) || !documented.has(route))).toEqual([]);
  });
});
