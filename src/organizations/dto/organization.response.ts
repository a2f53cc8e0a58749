import { ApiProperty } from '@nestjs/swagger';

export class OrganizationResponse {
  @ApiProperty({ format: 'uuid', example: 'b7e4c2a1-5f3d-4e6b-9a8c-1d2e3f4a5b6c' }) id: string;
  @ApiProperty({ example: 'Analytical Engines Ltd' }) name: string;
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z' }) updated_at: string;
}
