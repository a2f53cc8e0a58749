import { ApiProperty } from '@nestjs/swagger';
import type { ErrorBody } from './http-exception.filter';

/** The API's one error shape (written by HttpExceptionFilter), as an OpenAPI schema component. */
export class ErrorResponse implements ErrorBody {
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 403, description: 'The HTTP status code' })
  statusCode: number;

  @ApiProperty({ example: 'Forbidden', description: 'The HTTP reason phrase' })
  error: string;

  @ApiProperty({ example: "Missing scope 'agents:write'", description: 'What went wrong, in words a person can act on' })
  message: string;
}
