import fc from 'fast-check';
import request from 'supertest';
import { createTestApp, TestApp } from '../utils/create-test-app';
import { login } from '../utils/jwt-helpers';
import { sessionLogin } from '../utils/session-login';
import { registerUser } from '../utils/users';

const SEED = 20261201;
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);

interface Operation {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  readonly path: string;
}

/**
 * Every route of the OpenAPI document, hit with fast-check's inputs: path parameters, query
 * strings, bodies of any shape and content type, and credentials that are missing, garbage, or real
 * (so guarded handlers run on fuzzed bodies too). A malformed request is a 4xx; nothing may be 5xx.
 */
describe('fuzzing every route (fast-check, fixed seed)', () => {
  let t: TestApp;
  let operations: Operation[];
  let bearer: string;
  let session: { cookie: string; csrfToken: string };

  beforeAll(async () => {
    t = await createTestApp();
    const document = (await request(t.http).get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method as Operation['method'], path })),
    );
    const user = await registerUser(t, 'fuzzer');
    bearer = (await login(t, 'fuzzer')).accessToken;
    session = await sessionLogin(t.http, user);
  });

  afterAll(async () => {
    await t.close();
  });

  it(`answers ${RUNS} generated requests without a single 5xx`, async () => {
    const segment = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constantFrom('', '..', '%00', '%E0%A4%A', '1e999', "' OR 1=1 --"));
    const body = fc.oneof(
      fc.jsonValue(),
      fc.object({ maxDepth: 3 }),
      fc.record(
        {
          username: fc.oneof(fc.string(), fc.constant('fuzzer'), fc.anything()),
          password: fc.oneof(fc.string(), fc.anything()),
          email: fc.oneof(fc.emailAddress(), fc.string()),
          refreshToken: fc.oneof(fc.string(), fc.base64String()),
          token: fc.string(),
          transport: fc.constantFrom('body', 'cookie', 'other'),
          roles: fc.array(fc.string()),
          currentPassword: fc.string(),
          newPassword: fc.string({ maxLength: 300 }),
        },
        { requiredKeys: [] },
      ),
    );
    const credential = fc.constantFrom('none', 'bearer', 'session', 'garbage-bearer', 'garbage-cookie', 'huge-bearer');
    const contentType = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      null,
    );
    const query = fc.dictionary(fc.constantFrom('limit', 'offset', 'userId', 'type', 'token', 'x'), fc.string({ maxLength: 30 }), {
      maxKeys: 3,
    });

    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: operations.length - 1 }),
        segment,
        body,
        fc.boolean(),
        credential,
        contentType,
        query,
        async (index, parameter, payload, rawText, who, type, params) => {
          const operation = operations[index];
          const path = operation.path.replace(/\{[^}]+\}/g, encodeURIComponent(parameter));
          let call = request(t.http)[operation.method](path).query(params);
          if (who === 'bearer') call = call.set('Authorization', `Bearer ${bearer}`);
          if (who === 'session') call = call.set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken);
          if (who === 'garbage-bearer') call = call.set('Authorization', `Bearer ${parameter}x.y.z`);
          if (who === 'garbage-cookie')
            call = call.set('Cookie', `sid=${encodeURIComponent(parameter)}; access_token=${encodeURIComponent(parameter)}`);
          if (who === 'huge-bearer') call = call.set('Authorization', `Bearer ${'a'.repeat(9000)}`);
          if (operation.method !== 'get') {
            if (type !== null) call = call.set('Content-Type', type);
            call = call.send(rawText ? JSON.stringify(payload).slice(0, -1) : JSON.stringify(payload));
          }
          const response = await call;
          if (response.status >= 500)
            failures.push(`${operation.method.toUpperCase()} ${path} (${who}) → ${response.status} ${JSON.stringify(response.body)}`);
          return response.status < 500;
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(failures).toEqual([]);
  }, 600_000);
});
