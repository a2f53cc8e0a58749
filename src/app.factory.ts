import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ConfigType } from '@nestjs/config';
import { AppModule } from './app.module';
import { appConfig } from './config/app.config';
import { PrototypedExpressAdapter } from './common/express-adapter';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { rejectDeepJson } from './common/json-depth.middleware';
import { setupSwagger } from './openapi/swagger';
import { serveConsole } from './console/serve-console';

export const API_PREFIX = 'api/v1';

/** Builds and configures the app; main.ts, the e2e tests and the benchmark all use this one place. */
export async function createApp(): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, new PrototypedExpressAdapter(), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  configureApp(app, app.get<ConfigType<typeof appConfig>>(appConfig.KEY));
  return app;
}

export function configureApp(app: NestExpressApplication, config: ConfigType<typeof appConfig>): void {
  // The client address (for failed-key throttling) comes from X-Forwarded-For only via trusted proxies.
  if (config.TRUST_PROXY) app.set('trust proxy', parseTrustProxy(config.TRUST_PROXY));
  app.useBodyParser('json', { limit: '100kb' });
  app.useBodyParser('urlencoded', { limit: '100kb', extended: false });
  app.use(rejectDeepJson);
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
  app.useGlobalFilters(new HttpExceptionFilter());
  app.disable('x-powered-by');
  // No ETag: it hashes every JSON body, and API clients here page with cursors, not conditional GETs.
  app.set('etag', false);
  app.enableShutdownHooks();
  setupSwagger(app);
  serveConsole(app);
}

function parseTrustProxy(value: string): boolean | number | string[] {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((part) => part.trim());
}
