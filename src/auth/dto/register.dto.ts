import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsString, Length, MaxLength, MinLength } from 'class-validator';
import { MaxBytes } from '../../common/max-bytes.validator';
import { NOT_BLANK, trim } from '../../common/transforms';

const EMAIL = { format: 'email', maxLength: 254 } as const;

/**
 * bcrypt reads only the first 72 bytes of a password: a longer one is refused, never cut short (a
 * password and the same one with more after its 72nd byte would otherwise both match).
 */
export const PASSWORD_MAX_BYTES = 72;
const TOO_LONG = `password must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (bcrypt's limit; a character outside ASCII takes 2 to 4 bytes)`;

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com', ...EMAIL })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery', minLength: 1, maxLength: 72, writeOnly: true })
  @IsString()
  @IsNotEmpty({ message: 'password must not be empty' })
  @MaxBytes(PASSWORD_MAX_BYTES, TOO_LONG)
  password: string;
}

/** A new account's password: at least 8 characters and at most 72 bytes (bcrypt reads no further). */
export class NewPasswordDto {
  @ApiProperty({ example: 'correct horse battery', minLength: 8, maxLength: 72, writeOnly: true })
  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxBytes(PASSWORD_MAX_BYTES, TOO_LONG)
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
