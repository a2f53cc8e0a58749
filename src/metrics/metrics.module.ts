import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { OrganizationResourceCount } from './organization-resource-count.entity';

@Module({
  imports: [TypeOrmModule.forFeature([OrganizationResourceCount]), ApiKeysModule],
  controllers: [MetricsController],
  providers: [MetricsService],
})
export class MetricsModule {}
