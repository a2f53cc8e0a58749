import { useQuery } from '@tanstack/react-query';
import type { Scope } from '../api/types';
import { useSignedIn } from '../session/SessionProvider';
import { ErrorMessage } from './ErrorMessage';
import { Loading } from './States';

/** The scopes of GET /api-keys/scopes as checkboxes with their descriptions. */
export function ScopePicker({
  legend,
  chosen,
  onChange,
  hint,
}: {
  legend: string;
  chosen: readonly Scope[];
  onChange: (scopes: Scope[]) => void;
  hint?: string;
}) {
  const { client } = useSignedIn();
  const scopes = useQuery({ queryKey: ['scopes'], queryFn: () => client.apiKeys.scopes(), staleTime: Infinity });
  const toggle = (scope: Scope, on: boolean) => onChange(on ? [...chosen, scope] : chosen.filter((s) => s !== scope));
  return (
    <fieldset className="field">
      <legend>{legend}</legend>
      {hint ? <p className="hint">{hint}</p> : null}
      {scopes.isPending ? <Loading what="scopes" /> : null}
      <ErrorMessage error={scopes.error} />
      <div className="scope-grid">
        {scopes.data?.data.map(({ scope, description }) => (
          <label key={scope} className="scope-option">
            <input type="checkbox" checked={chosen.includes(scope)} onChange={(e) => toggle(scope, e.target.checked)} />
            <span>
              <code>{scope}</code>
              <span className="hint">{description}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
