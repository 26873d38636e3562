import { INestApplication, ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
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
  app.useLogger(app.get(Logger));
  app.use(assignRequestId);
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

function setUpOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('nest-auth-backend')
      .setDescription('Session and JWT authentication for NestJS APIs')
      .setVersion('0.1.0')
      .addBearerAuth()
      .addCookieAuth('sid')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
