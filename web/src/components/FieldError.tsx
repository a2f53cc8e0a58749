import { errorMessage } from '../api/client';

/**
 * An error about one field, placed right after it: the field names it with `aria-describedby={id}` and
 * `aria-invalid`, so a screen reader reads the message with the field.
 */
export function FieldError({ id, error }: { id: string; error: unknown }) {
  if (!error) return null;
  return (
    <p id={id} className="error field-error" role="alert">
      {typeof error === 'string' ? error : errorMessage(error)}
    </p>
  );
}
