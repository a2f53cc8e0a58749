import { Module } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { ConfigType } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttemptsModule } from '../attempts/attempts.module';
import { appConfig } from '../config/app.config';
import { ServerSecrets } from '../secrets/server-secrets';
import { Membership } from '../organizations/membership.entity';
import { MembershipModule } from '../organizations/membership.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginAttempts } from './login-attempts';
import { OrganizationFairShare } from './organization-fair-share';
import { PasswordHasher } from './passwords';
import { RegistrationAttempts } from './registration-attempts';
import { User } from './user.entity';
import { UserTokensService } from './user-tokens.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([User, Membership]),
    MembershipModule,
    AttemptsModule,
    JwtModule.registerAsync({
      inject: [appConfig.KEY, ServerSecrets],
      useFactory: async (config: ConfigType<typeof appConfig>, secrets: ServerSecrets) => ({
        // A KeyObject, not the string: given a string, jsonwebtoken first tries it as a PEM public key
        // (crypto.createPublicKey, which throws) on every verify — about 1 ms per request here, against
        // 13 µs with the KeyObject (auth0/node-jsonwebtoken#1046).
        // JWT_SECRET, or one generated on the first start and shared through the database.
        secret: createSecretKey(await secrets.get('JWT_SECRET')),
        signOptions: { expiresIn: config.JWT_TTL, algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    UserTokensService,
    PasswordHasher,
    LoginAttempts,
    RegistrationAttempts,
    OrganizationFairShare,
  ],
  exports: [PasswordHasher, UserTokensService, OrganizationFairShare],
})
export class AuthModule {}
