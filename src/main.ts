import { Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createApp } from './app.factory';
import { StartupError } from './common/startup-error';
import { appConfig } from './config/app.config';
import { shutDownOnSignals } from './server/graceful-shutdown';
import { listen } from './server/listen';
import { createBootLogger, PinoNestLogger } from './server/server-logger';

const log = createBootLogger();

// Node's process warnings would be the only plain-text lines in the log.
process.removeAllListeners('warning');
process.on('warning', (warning) => log.warn({ warning: warning.name }, warning.message));

async function bootstrap(): Promise<void> {
  const app = await createApp({ logger: new PinoNestLogger(log) });
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  shutDownOnSignals(app);
  await listen(app, config.PORT);
  const url = `http://localhost:${config.PORT}`;
  // Through the app's logger, after its migration lines.
  new Logger('Server').log(`listening on ${url}; API docs at ${url}/api/docs`);
}

bootstrap().catch((err: unknown) => {
  // One line that says what is wrong; a stack only for failures nobody foresaw.
  if (err instanceof StartupError || (err instanceof Error && err.message.startsWith('Invalid environment'))) {
    log.fatal(`cannot start: ${err.message}`);
  } else {
    log.fatal({ err }, `cannot start: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exit(1);
});
