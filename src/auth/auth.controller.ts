import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiOkResponse, ApiCreatedResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AuthService } from './auth.service';
import { CurrentUser } from './current-principal.decorator';
import { LoginDto, RegisterDto } from './dto/register.dto';
import { MeResponse, SessionResponse } from './dto/session.response';
import { UserPrincipal } from './principal';
import { Public } from './public.decorator';
import { UsersOnly } from './users-only.decorator';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @ApiCreatedResponse({ type: SessionResponse, description: 'Organization created; the caller is its owner' })
  @ApiBadRequestResponse({ description: 'A field is missing or invalid' })
  @ApiConflictResponse({ description: 'A user with this email already exists' })
  register(@Body() dto: RegisterDto): Promise<SessionResponse> {
    return this.auth.register(dto);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionResponse })
  @ApiUnauthorizedResponse({ description: 'Email or password is incorrect' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed logins for this email or address' })
  login(@Body() dto: LoginDto, @Ip() ip: string): Promise<SessionResponse> {
    return this.auth.login(dto, ip);
  }

  @UsersOnly()
  @Get('me')
  @ApiOkResponse({ type: MeResponse })
  me(@CurrentUser() user: UserPrincipal): Promise<MeResponse> {
    return this.auth.me(user);
  }
}
