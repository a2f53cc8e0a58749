import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { App } from 'supertest/types';
import { configureApp } from '../src/app.factory';
import { AppModule } from '../src/app.module';
import { Scopes } from '../src/api-keys/scopes.decorator';
import { CurrentPrincipal } from '../src/auth/current-principal.decorator';
import type { Principal } from '../src/auth/principal';
import { PrototypedExpressAdapter } from '../src/common/express-adapter';
import { appConfig } from '../src/config/app.config';
import { bearer, createKey, registerOrg } from './helpers/fixtures';
import type { TestApp } from './helpers/test-app';

/** The README's example: a route of another module reads the calling key's metadata from the principal. */
@Controller('reports')
class ReportsController {
  @Get('tenant')
  @Scopes('metrics:read')
  tenant(@CurrentPrincipal() caller: Principal): { tenant: unknown } {
    return { tenant: caller.kind === 'api_key' ? (caller.metadata.tenant ?? null) : null };
  }
}

@Module({ controllers: [ReportsController] })
class ReportsModule {}

describe('key metadata in a route’s code (e2e)', () => {
  let app: INestApplication;
  let t: TestApp;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule, ReportsModule] }).compile();
    const nest = moduleRef.createNestApplication<NestExpressApplication>(new PrototypedExpressAdapter(), { bodyParser: false });
    configureApp(nest, nest.get<ConfigType<typeof appConfig>>(appConfig.KEY));
    app = await nest.init();
    const server = app.getHttpServer() as App;
    t = { app, api: () => request(server), close: () => app.close() };
  });
  afterAll(() => app?.close());

  it('sees the metadata set at creation, and the PATCHed metadata from the next request', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { scopes: ['metrics:read'], metadata: { tenant: 'acme-eu' } });
    const tenant = () => t.api().get('/api/v1/reports/tenant').set('X-API-Key', key.key).expect(200);
    expect((await tenant()).body).toEqual({ tenant: 'acme-eu' });
    await t.api().patch(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).send({ metadata: { tenant: 'acme-us' } }).expect(200);
    expect((await tenant()).body).toEqual({ tenant: 'acme-us' });
  });
});
