import { ApiProperty } from '@nestjs/swagger';
import { ROLES, Role } from '../../organizations/role';

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'ada@example.com' }) email: string;
  @ApiProperty({ example: 'Ada Lovelace' }) name: string;
}

export class OrganizationSummary {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Analytical Engines Ltd' }) name: string;
}

/** GET /auth/me: who the caller is. */
export class MeResponse {
  @ApiProperty({ type: UserResponse }) user: UserResponse;
  @ApiProperty({ type: OrganizationSummary }) organization: OrganizationSummary;
  @ApiProperty({ enum: ROLES }) role: Role;
}

/** Register and login: an access token plus who it belongs to. */
export class SessionResponse extends MeResponse {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIs...' }) access_token: string;
  @ApiProperty({ example: 'Bearer' }) token_type: 'Bearer';
  @ApiProperty({ example: 3600, description: 'seconds until the token expires' }) expires_in: number;
}
