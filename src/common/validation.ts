import { ValidateIf } from 'class-validator';

/**
 * The property may be left out, but not sent as null: for columns that are NOT NULL with a default
 * (a status). Unlike @IsOptional(), a null still runs the property's validators and fails them.
 */
export const IsOmittable = () => ValidateIf((_, value: unknown) => value !== undefined);
