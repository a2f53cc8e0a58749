import type { INestApplication } from '@nestjs/common';
import { StartupError } from '../common/startup-error';

/** app.listen(), with the usual reasons it fails said as what to do. */
export async function listen(app: INestApplication, port: number): Promise<void> {
  try {
    await app.listen(port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(`port ${port} is in use; set PORT to a free port`);
    if (code === 'EACCES') throw new StartupError(`port ${port} needs privileges this process lacks; set PORT to 1024 or above`);
    throw err;
  }
}
