import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** Parses a UUID path parameter; anything else is a 400 that names the parameter. */
export const UuidParam = (name = 'id') =>
  new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException(`${name} must be a UUID`) });
