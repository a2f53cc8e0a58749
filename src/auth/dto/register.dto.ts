import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsString, Length, MaxLength, MinLength } from 'class-validator';
import { NOT_BLANK, trim } from '../../common/transforms';

const EMAIL = { format: 'email', maxLength: 254 } as const;

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com', ...EMAIL })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery', minLength: 1, maxLength: 72, writeOnly: true })
  @IsString()
  @IsNotEmpty({ message: 'password must not be empty' })
  @MaxLength(72, { message: 'password must be at most 72 characters' })
  password: string;
}

/** A new account's password: 8 to 72 characters (bcrypt reads no further than 72 bytes). */
export class NewPasswordDto {
  @ApiProperty({ example: 'correct horse battery', minLength: 8, maxLength: 72, writeOnly: true })
  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(72, { message: 'password must be at most 72 characters' })
  password: string;
}

export class RegisterDto extends NewPasswordDto {
  @ApiProperty({ example: 'ada@example.com', ...EMAIL })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Ada Lovelace', minLength: 1, maxLength: 100, pattern: NOT_BLANK })
  @Transform(trim)
  @IsString()
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name: string;

  @ApiProperty({ example: 'Analytical Engines Ltd', minLength: 1, maxLength: 100, pattern: NOT_BLANK })
  @Transform(trim)
  @IsString()
  @Length(1, 100, { message: 'organization_name must be 1 to 100 characters' })
  organization_name: string;
}
