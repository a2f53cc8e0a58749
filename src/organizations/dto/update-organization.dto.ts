import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';
import { NOT_BLANK, trim } from '../../common/transforms';

export class UpdateOrganizationDto {
  @ApiProperty({ example: 'Analytical Engines Ltd', minLength: 1, maxLength: 100, pattern: NOT_BLANK })
  @Transform(trim)
  @IsString()
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name: string;
}
