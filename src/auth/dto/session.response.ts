import { ApiProperty } from '@nestjs/swagger';
import { ROLES, Role } from '../../organizations/role';

export class UserResponse {
  @ApiProperty({ format: 'uuid', example: '2b1f3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' }) id: string;
  @ApiProperty({ example: 'ada@example.com', format: 'email' }) email: string;
  @ApiProperty({ example: 'Ada Lovelace' }) name: string;
}

export class OrganizationSummary {
  @ApiProperty({ format: 'uuid', example: '6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a' }) id: string;
  @ApiProperty({ example: 'Analytical Engines Ltd' }) name: string;
}

/** GET /auth/me: who the caller is. */
export class MeResponse {
  @ApiProperty({ type: UserResponse }) user: UserResponse;
  @ApiProperty({ type: OrganizationSummary }) organization: OrganizationSummary;
  @ApiProperty({ enum: ROLES, example: 'owner' }) role: Role;
}

/** Register and login: an access token plus who it belongs to. */
export class SessionResponse extends MeResponse {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIs...' }) access_token: string;
  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' }) token_type: 'Bearer';
  @ApiProperty({ type: 'integer', example: 3600, description: 'seconds until the token expires' }) expires_in: number;
}
