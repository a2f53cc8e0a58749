import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AgentsModule } from './agents/agents.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BcryptModule } from './bcrypt/bcrypt.module';
import { GlobalAuthGuard } from './auth/global-auth.guard';
import { LoggingModule } from './common/logging.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DeploymentsModule } from './deployments/deployments.module';
import { GatewaysModule } from './gateways/gateways.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { PipelinesModule } from './pipelines/pipelines.module';
import { SecretsModule } from './secrets/secrets.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({
  imports: [
    ConfigModule,
    LoggingModule,
    DatabaseModule,
    SecretsModule,
    BcryptModule,
    AuthModule,
    ApiKeysModule,
    AuditModule,
    OrganizationsModule,
    HealthModule,
    AgentsModule,
    DeploymentsModule,
    PipelinesModule,
    GatewaysModule,
    MetricsModule,
    WebhooksModule,
  ],
  // The one default-deny guard: users' tokens from AuthModule, API keys through ApiKeysModule's authenticator.
  providers: [{ provide: APP_GUARD, useClass: GlobalAuthGuard }],
})
export class AppModule {}
