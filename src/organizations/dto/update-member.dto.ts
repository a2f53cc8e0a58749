import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ROLES, Role } from '../role';
import { INVALID_ROLE } from './add-member.dto';

export class UpdateMemberDto {
  @ApiProperty({ enum: ROLES, example: 'admin' })
  @IsIn(ROLES, { message: INVALID_ROLE })
  role: Role;
}
