import { Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { appConfig } from './app.config';

/** Loads and validates the environment once; inject with `@Inject(appConfig.KEY) config: AppConfig`. */
@Global()
@Module({
  imports: [NestConfigModule.forRoot({ ignoreEnvFile: true, load: [appConfig] })],
  exports: [NestConfigModule],
})
export class ConfigModule {}
