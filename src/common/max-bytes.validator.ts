import { registerDecorator } from 'class-validator';

/**
 * A string of at most `max` bytes in UTF-8, for limits counted in bytes rather than characters
 * (bcrypt reads 72 bytes: 72 characters of `é` are 144). Not class-validator's IsByteLength, which
 * measures through encodeURI and throws on a lone surrogate instead of failing validation.
 */
export function MaxBytes(max: number, message: string) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'maxBytes',
      target: object.constructor,
      propertyName,
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && Buffer.byteLength(value, 'utf8') <= max,
        defaultMessage: () => message,
      },
    });
}
