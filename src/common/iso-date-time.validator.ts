import { isISO8601, registerDecorator, ValidationArguments } from 'class-validator';

const WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A real calendar date-time in ISO-8601 with an explicit zone (Z or ±hh:mm). */
export function isIsoDateTime(value: unknown): value is string {
  return typeof value === 'string' && WITH_ZONE.test(value) && isISO8601(value, { strict: true });
}

const FORMAT_HINT = 'an ISO-8601 date-time with a time zone, e.g. 2030-12-31T23:59:59Z';

export function IsIsoDateTime() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isIsoDateTime',
      target: object.constructor,
      propertyName,
      validator: {
        validate: isIsoDateTime,
        defaultMessage: () => `${propertyName} must be ${FORMAT_HINT}`,
      },
    });
}

/** An ISO-8601 date-time with a time zone, strictly in the future. */
export function IsFutureIsoDateTime() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isFutureIsoDateTime',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => isIsoDateTime(value) && Date.parse(value) > Date.now(),
        defaultMessage: (args?: ValidationArguments) =>
          isIsoDateTime(args?.value) ? `${propertyName} must be in the future` : `${propertyName} must be ${FORMAT_HINT}`,
      },
    });
}
