import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttemptsModule } from '../attempts/attempts.module';
import { appConfig } from '../config/app.config';
import { Membership } from '../organizations/membership.entity';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginAttempts } from './login-attempts';
import { PasswordHasher } from './passwords';
import { RegistrationAttempts } from './registration-attempts';
import { User } from './user.entity';
import { UserTokensService } from './user-tokens.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([User, Membership]),
    AttemptsModule,
    JwtModule.registerAsync({
      inject: [appConfig.KEY],
      useFactory: (config: ConfigType<typeof appConfig>) => ({
        secret: config.JWT_SECRET,
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
  ],
  exports: [PasswordHasher, UserTokensService],
})
export class AuthModule {}
