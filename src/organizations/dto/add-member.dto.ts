import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, Length, MaxLength } from 'class-validator';
import { NewPasswordDto } from '../../auth/dto/register.dto';
import { NOT_BLANK, trim } from '../../common/transforms';
import { ROLES, Role } from '../role';

export const INVALID_ROLE = `role must be one of: ${ROLES.join(', ')}`;

/** A new user account, created in the caller's organization with `role`. */
export class AddMemberDto extends NewPasswordDto {
  @ApiProperty({ example: 'grace@example.com', format: 'email', maxLength: 254 })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  email: string;

  @ApiProperty({ example: 'Grace Hopper', minLength: 1, maxLength: 100, pattern: NOT_BLANK })
  @Transform(trim)
  @IsString()
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name: string;

  @ApiProperty({ enum: ROLES, example: 'developer' })
  @IsIn(ROLES, { message: INVALID_ROLE })
  role: Role;
}
