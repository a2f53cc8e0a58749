import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { NOT_BLANK, trim } from '../../common/transforms';

export const MAX_STEPS = 100;

export class CreatePipelineDto {
  @ApiProperty({ example: 'Nightly evaluation', minLength: 1, maxLength: 100, pattern: NOT_BLANK })
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name: string;

  @ApiPropertyOptional({
    type: String,
    example: 'Evaluates every agent against the test set',
    maxLength: 1000,
    nullable: true,
  })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(1000, { message: 'description must be at most 1000 characters' })
  description?: string | null;

  @ApiProperty({
    type: 'array',
    items: {},
    maxItems: MAX_STEPS,
    description: `any JSON values, at most ${MAX_STEPS}; stored and returned as given`,
    example: [{ name: 'fetch', action: 'http.get' }, { name: 'summarize', agent: 'Support triage' }],
  })
  @IsArray({ message: 'steps must be an array' })
  @ArrayMaxSize(MAX_STEPS, { message: `steps must have at most ${MAX_STEPS} items` })
  steps: unknown[];
}
