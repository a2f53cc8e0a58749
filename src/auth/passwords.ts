import { Injectable } from '@nestjs/common';
import { BcryptScheduler } from '../bcrypt/bcrypt-scheduler';
import { clientKey } from '../common/client-address';

/** Passwords' bcrypt work, run through the process's one BcryptScheduler so logins cannot starve keys. */
@Injectable()
export class PasswordHasher {
  // Compared against when an email is unknown, so a wrong email costs as long as a wrong password.
  private readonly dummyHash: Promise<string>;

  constructor(private readonly bcrypt: BcryptScheduler) {
    this.dummyHash = bcrypt.hash('not-a-real-password');
    // Awaited on the first unknown email; a failure then surfaces there, not as an unhandled rejection.
    this.dummyHash.catch(() => undefined);
  }

  /** `source` (the client address; an IPv6 client's /64) keeps one client's flood in its own line of the scheduler. */
  hash(password: string, source?: string): Promise<string> {
    return this.bcrypt.hash(password, source && clientKey(source));
  }

  async verify(password: string, hash: string | undefined, source?: string): Promise<boolean> {
    const ok = await this.bcrypt.compare('password', password, hash ?? (await this.dummyHash), source && clientKey(source));
    return ok && hash !== undefined;
  }
}
