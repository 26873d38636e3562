import { INestApplication, ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { AppLogger } from './common/logging/app-logger';
import { PINO_LOGGER } from './common/logging/logging.module';
import { requestLog } from './common/logging/request-log.middleware';
import { expressErrorHandler } from './common/http/express-error.handler';
import { jsonBodyParser } from './common/http/json-body-parser';
import { noStore } from './common/http/no-store.middleware';
import { assignRequestId } from './common/http/request-id.middleware';
import { requireJsonBody, requireObjectBody } from './common/http/require-json-body.middleware';
import { AppConfig } from './config/app-config';

/**
 * Everything between the socket and the controllers, shared by main.ts and the e2e tests so that
 * the tests exercise the very pipeline that serves production.
 */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  app.useLogger(app.get(AppLogger));
  app.use(assignRequestId);
  app.use(requestLog(app.get<Logger>(PINO_LOGGER)));
  app.set('trust proxy', config.trustProxyHops);
  app.disable('x-powered-by');
  app.use(helmet({ hsts: config.isProduction }));
  app.enableCors({ origin: [...config.corsOrigins], credentials: true });
  app.use(['/auth', '/admin'], noStore);
  // Unsigned parsing only: the JWT cookie transport reads access_token, refresh_token and csrf_token.
  app.use(cookieParser());
  app.use(requireJsonBody);
  app.use(jsonBodyParser(config.bodyLimit));
  app.use(expressErrorHandler);
  app.use(requireObjectBody);
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, forbidUnknownValues: true }));
  app.useGlobalFilters(new AllExceptionsFilter());
  setUpOpenApi(app);
}

/** The security schemes operations name (`@ApiBearerAuth()`, `@ApiCookieAuth('sid')`, …); each is declared here. */
export const SECURITY_SCHEMES = { bearer: 'bearer', sid: 'sid', accessToken: 'access_token', csrf: 'csrf' } as const;
const UNSAFE_METHODS = ['post', 'put', 'patch', 'delete'] as const;
const COOKIE_SCHEMES: readonly string[] = [SECURITY_SCHEMES.sid, SECURITY_SCHEMES.accessToken];

function setUpOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('nest-auth-backend')
      .setDescription('Session and JWT authentication for NestJS APIs')
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, SECURITY_SCHEMES.bearer)
      .addCookieAuth(
        'sid',
        { type: 'apiKey', in: 'cookie', description: 'The session cookie (POST /auth/session/login)' },
        SECURITY_SCHEMES.sid,
      )
      .addCookieAuth(
        'access_token',
        { type: 'apiKey', in: 'cookie', description: 'The JWT cookie transport (POST /auth/jwt/login with transport: "cookie")' },
        SECURITY_SCHEMES.accessToken,
      )
      .addApiKey(
        {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description:
            "Required with a cookie on unsafe requests: the session's token (login answer, GET /auth/session/csrf) or the csrf_token cookie (GET /auth/jwt/csrf)",
        },
        SECURITY_SCHEMES.csrf,
      )
      .build(),
  );
  SwaggerModule.setup('docs', app, requireCsrfWithCookies(document), { jsonDocumentUrl: 'docs-json' });
}

/**
 * An unsafe request a cookie authenticates needs X-CSRF-Token too: each cookie requirement of an unsafe
 * operation becomes "that cookie and the csrf header" (the Bearer alternative stays alone).
 */
function requireCsrfWithCookies(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const method of UNSAFE_METHODS) {
      const operation = path[method];
      if (operation?.security === undefined) continue;
      operation.security = operation.security.map((requirement) =>
        Object.keys(requirement).some((name) => COOKIE_SCHEMES.includes(name))
          ? { ...requirement, [SECURITY_SCHEMES.csrf]: [] }
          : requirement,
      );
    }
  }
  return document;
}
