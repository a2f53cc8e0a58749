import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiError, ApiErrors } from '../common/api-errors.decorator';
import { Actor } from '../audit/actor.decorator';
import { AuditActor } from '../audit/audit.service';
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
  @ApiOperation({ summary: 'Create an organization and its owner; returns an access token' })
  @ApiCreatedResponse({ type: SessionResponse, description: 'Organization created; the caller is its owner' })
  @ApiErrors({ 400: 'A field is missing or invalid', 409: 'A user with this email already exists' })
  @ApiError(429, {
    description: 'Too many registrations from this address (REGISTRATIONS_PER_ADDRESS_PER_HOUR)',
    message: 'Too many registrations from this address; try again in 1800 seconds',
    headers: { 'Retry-After': { description: 'Seconds until this address may register again', schema: { type: 'integer' } } },
  })
  register(@Body() dto: RegisterDto, @Actor() actor: AuditActor): Promise<SessionResponse> {
    return this.auth.register(dto, actor);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in; returns an access token to use as a bearer token' })
  @ApiOkResponse({ type: SessionResponse })
  @ApiErrors({ 400: 'email or password is missing or invalid', 401: 'Email or password is incorrect' })
  @ApiError(429, {
    description: 'Too many failed logins for this email (10 in 15 minutes) or address (100 in 15 minutes); answered before the password is checked',
    message: 'Too many failed logins; try again in 42 seconds',
  })
  login(@Body() dto: LoginDto, @Ip() ip: string): Promise<SessionResponse> {
    return this.auth.login(dto, ip);
  }

  @UsersOnly()
  @Get('me')
  @ApiOperation({ summary: 'Who the caller is: user, organization and role' })
  @ApiOkResponse({ type: MeResponse })
  me(@CurrentUser() user: UserPrincipal): Promise<MeResponse> {
    return this.auth.me(user);
  }
}
