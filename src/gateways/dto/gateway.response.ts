import { ApiProperty } from '@nestjs/swagger';
import { GATEWAY_STATUSES, GatewayStatus } from '../gateway.entity';

export class GatewayResponse {
  @ApiProperty({ format: 'uuid', example: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' }) id: string;
  @ApiProperty({ example: 'EU edge' }) name: string;
  @ApiProperty({ example: 'https://eu.gateway.example.com' }) url: string;
  @ApiProperty({ enum: GATEWAY_STATUSES, example: 'active' }) status: GatewayStatus;
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z' }) updated_at: string;
}

export class GatewayPageResponse {
  @ApiProperty({ type: [GatewayResponse] }) data: GatewayResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page; null on the last page' })
  next_cursor: string | null;
}
