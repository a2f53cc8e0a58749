import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { DeploymentsModule } from '../deployments/deployments.module';
import { GatewaysModule } from '../gateways/gateways.module';
import { PipelinesModule } from '../pipelines/pipelines.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Module({
  imports: [AgentsModule, DeploymentsModule, PipelinesModule, GatewaysModule, ApiKeysModule],
  controllers: [MetricsController],
  providers: [MetricsService],
})
export class MetricsModule {}
