import { Global, Module } from '@nestjs/common';
import { BcryptScheduler } from './bcrypt-scheduler';

/** The process's one bcrypt scheduler; global, and low in the house so auth/ and api-keys/ both use it. */
@Global()
@Module({ providers: [BcryptScheduler], exports: [BcryptScheduler] })
export class BcryptModule {}
