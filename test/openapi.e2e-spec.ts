import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';

interface Operation {
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string }>;
  responses?: Record<string, { description?: string }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, { type: string; in?: string; name?: string }> };
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let document: Document;

  beforeAll(async () => {
    t = await createTestApp();
    const response = await request(t.http).get('/docs-json').expect(200);
    document = response.body as Document;
  });

  afterAll(async () => {
    await t.close();
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
    );

  it('declares every security scheme an operation names', () => {
    const declared = new Set(Object.keys(document.components?.securitySchemes ?? {}));
    const named = operations().flatMap(({ route, operation }) =>
      (operation.security ?? []).flatMap((requirement) => Object.keys(requirement).map((scheme) => `${route} ${scheme}`)),
    );

    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((entry) => !declared.has(entry.split(' ')[2] ?? ''))).toEqual([]);
  });

  it('declares the sid and access_token cookies and the X-CSRF-Token header', () => {
    expect(document.components?.securitySchemes).toMatchObject({
      bearer: { type: 'http' },
      sid: { type: 'apiKey', in: 'cookie', name: 'sid' },
      access_token: { type: 'apiKey', in: 'cookie', name: 'access_token' },
      csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
    });
  });

  it('requires X-CSRF-Token with the cookie on every unsafe cookie-authenticated operation, and never with Bearer', () => {
    const unsafe = operations().filter(({ route }) => !route.startsWith('GET '));
    const cookieRequirements = unsafe.flatMap(({ route, operation }) =>
      (operation.security ?? []).filter((requirement) => 'sid' in requirement || 'access_token' in requirement).map((r) => ({ route, r })),
    );

    expect(cookieRequirements.map(({ route }) => route)).toEqual(
      expect.arrayContaining(['POST /auth/session/logout', 'POST /auth/jwt/logout', 'POST /auth/logout-all', 'DELETE /auth/sessions/{id}']),
    );
    for (const { route, r } of cookieRequirements) expect({ route, csrf: r.csrf }).toEqual({ route, csrf: [] });
    expect(document.paths['/auth/jwt/logout']?.post?.security).toContainEqual({ bearer: [] });
    expect(document.paths['/auth/session/me']?.get?.security).toEqual([{ sid: [] }]);
  });

  it('documents X-CSRF-Token on the cookie refresh', () => {
    expect(document.paths['/auth/jwt/refresh']?.post?.parameters).toContainEqual(
      expect.objectContaining({ name: 'X-CSRF-Token', in: 'header' }),
    );
  });

  it('lists GET /auth/jwt/csrf, authenticated by the access_token cookie', () => {
    expect(document.paths['/auth/jwt/csrf']?.get?.security).toEqual([{ access_token: [] }]);
    expect(Object.keys(document.paths['/auth/jwt/csrf']?.get?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '403']));
  });

  it('lists both answers of the JWT login and its 403 for a cross-site cookie login', () => {
    const responses = document.paths['/auth/jwt/login']?.post?.responses ?? {};

    expect(JSON.stringify(responses['200'])).toEqual(expect.stringMatching(/TokenPairView[\s\S]*CookieTokensView/));
    expect(responses['403']?.description).toMatch(/CORS_ORIGINS/);
  });
});
