/** class-transformer helper: trims strings, leaves other values for the validators to reject. */
export const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/**
 * The OpenAPI `pattern` of a trimmed string that must not be empty: at least one non-space
 * character (JavaScript's `\S`, the same white space trim() removes).
 */
export const NOT_BLANK = '\\S';
