import { ApiProperty } from '@nestjs/swagger';
import { ROLES, Role } from '../role';

/** A member of the organization: their user account and their role in it. */
export class MemberResponse {
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ example: 'grace@example.com' }) email: string;
  @ApiProperty({ example: 'Grace Hopper' }) name: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ format: 'date-time', description: 'when the user joined the organization' }) created_at: string;
}

export class MemberPageResponse {
  @ApiProperty({ type: [MemberResponse] }) data: MemberResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page; null on the last page' })
  next_cursor: string | null;
}
