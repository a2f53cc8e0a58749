import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import * as bcrypt from 'bcrypt';
import { appConfig } from '../config/app.config';

@Injectable()
export class PasswordHasher {
  // Compared against when an email is unknown, so a wrong email costs as long as a wrong password.
  private readonly dummyHash: Promise<string>;

  constructor(@Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>) {
    this.dummyHash = bcrypt.hash('not-a-real-password', config.BCRYPT_COST);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.BCRYPT_COST);
  }

  async verify(password: string, hash: string | undefined): Promise<boolean> {
    const ok = await bcrypt.compare(password, hash ?? (await this.dummyHash));
    return ok && hash !== undefined;
  }
}
