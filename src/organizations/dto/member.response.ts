import { ApiProperty } from '@nestjs/swagger';
import { ROLES, Role } from '../role';

/** A member of the organization: their user account and their role in it. */
export class MemberResponse {
  @ApiProperty({ format: 'uuid', example: '9b2f7c1e-4d3a-4f5b-8c6d-7e8f9a0b1c2d' }) user_id: string;
  @ApiProperty({ example: 'grace@example.com', format: 'email' }) email: string;
  @ApiProperty({ example: 'Grace Hopper' }) name: string;
  @ApiProperty({ enum: ROLES, example: 'developer' }) role: Role;
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z', description: 'when the user joined the organization' }) created_at: string;
}

export class MemberPageResponse {
  @ApiProperty({ type: [MemberResponse] }) data: MemberResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page; null on the last page' })
  next_cursor: string | null;
}
