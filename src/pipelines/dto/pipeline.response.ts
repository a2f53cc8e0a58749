import { ApiProperty } from '@nestjs/swagger';

export class PipelineResponse {
  @ApiProperty({ format: 'uuid', example: '5e2f8a1b-3c4d-4e5f-8a9b-0c1d2e3f4a5b' }) id: string;
  @ApiProperty({ example: 'Nightly evaluation' }) name: string;
  @ApiProperty({ example: 'Evaluates every agent against the test set', type: String, nullable: true })
  description: string | null;
  @ApiProperty({ type: 'array', items: {}, example: [{ name: 'fetch', action: 'http.get' }] }) steps: unknown[];
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z' }) updated_at: string;
}

export class PipelinePageResponse {
  @ApiProperty({ type: [PipelineResponse] }) data: PipelineResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page; null on the last page' })
  next_cursor: string | null;
}
