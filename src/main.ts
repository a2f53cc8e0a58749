import { ConfigType } from '@nestjs/config';
import { createApp } from './app.factory';
import { appConfig } from './config/app.config';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  await app.listen(config.PORT);
}

bootstrap().catch((err: unknown) => {
  // Start-up errors (a bad environment variable, an unreachable database) end the process.
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
