import { INestApplication, LoggerService, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { json, urlencoded } from 'express';
import { Logger } from 'nestjs-pino';
import { ConfigType } from '@nestjs/config';
import { AppModule } from './app.module';
import { appConfig } from './config/app.config';
import { PrototypedExpressAdapter } from './common/express-adapter';
import { answerClientErrorsWithJson } from './common/client-error';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { DatabaseAvailability } from './database/database-availability';
import { rejectDeepJson } from './common/json-depth.middleware';
import { apiSecurityHeaders, noSniff, noStore } from './common/security-headers';
import { rejectMalformedBody, rejectUndecodableRequest, verifyUtf8Body, verifyUtf8FormBody } from './common/well-formed-input';
import { parseTrustProxy } from './config/trust-proxy';
import { keepRawBody } from './common/raw-body';
import { setupSwagger } from './openapi/swagger';
import { ServerLogger } from './server/server-logger';
import { serveConsole } from './console/serve-console';

export const API_PREFIX = 'api/v1';

/**
 * Builds and configures the app; main.ts, the e2e tests and the benchmark all use this one place.
 * `logger` receives what Nest logs before the app's own logger exists (main.ts passes a JSON one).
 * A failed start-up rejects (abortOnError: false) so the caller can say why, once.
 */
export async function createApp(options: { logger?: LoggerService } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, new PrototypedExpressAdapter(), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
    logger: options.logger && new ServerLogger(options.logger),
  });
  app.useLogger(new ServerLogger(app.get(Logger)));
  configureApp(app, app.get<ConfigType<typeof appConfig>>(appConfig.KEY));
  return app;
}

export function configureApp(app: NestExpressApplication, config: ConfigType<typeof appConfig>): void {
  // The client address (for failed-key throttling) comes from X-Forwarded-For only via trusted proxies.
  if (config.TRUST_PROXY) app.set('trust proxy', parseTrustProxy(config.TRUST_PROXY));
  answerClientErrorsWithJson(app.getHttpServer());
  app.use(noSniff);
  app.use('/api', apiSecurityHeaders);
  app.use(`/${API_PREFIX}`, noStore);
  // Undecodable text is a 400 on every route, before anything reads it (common/well-formed-input.ts).
  app.use(rejectUndecodableRequest);
  // express's parsers, not app.useBodyParser(): Nest's typing leaves out `verify` (its rawBody option uses it).
  app.use(
    json({
      limit: '100kb',
      verify: (req, res, body, encoding) => {
        verifyUtf8Body(req, res, body, encoding);
        // A signed body (GitHub's secret scanning) is verified over its bytes, not a re-serialization.
        keepRawBody(req, body);
      },
    }),
  );
  app.use(urlencoded({ limit: '100kb', extended: false, verify: verifyUtf8FormBody }));
  app.use(rejectDeepJson);
  app.use(rejectMalformedBody);
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
      validationError: { target: false, value: false },
    }),
  );
  app.useGlobalFilters(new HttpExceptionFilter(app.get(DatabaseAvailability)));
  app.disable('x-powered-by');
  // No ETag: it hashes every JSON body, and API clients here page with cursors, not conditional GETs.
  app.set('etag', false);
  // No enableShutdownHooks(): main.ts drains connections on SIGTERM before closing the app (server/graceful-shutdown.ts).
  setupSwagger(app);
  serveConsole(app);
}
