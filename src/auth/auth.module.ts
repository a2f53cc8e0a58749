import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { appConfig } from '../config/app.config';
import { Membership } from '../organizations/membership.entity';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { GlobalAuthGuard } from './global-auth.guard';
import { LoginAttempts } from './login-attempts';
import { PasswordHasher } from './passwords';
import { User } from './user.entity';
import { UserTokensService } from './user-tokens.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([User, Membership]),
    JwtModule.registerAsync({
      inject: [appConfig.KEY],
      useFactory: (config: ConfigType<typeof appConfig>) => ({
        secret: config.JWT_SECRET,
        signOptions: { expiresIn: config.JWT_TTL, algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
    ApiKeysModule,
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    UserTokensService,
    PasswordHasher,
    LoginAttempts,
    { provide: APP_GUARD, useClass: GlobalAuthGuard },
  ],
  exports: [PasswordHasher],
})
export class AuthModule {}
