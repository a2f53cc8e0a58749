import { WEBHOOK_EVENTS } from '../api/types';

/** The event types an endpoint subscribes to, as checkboxes with what each means. */
export function WebhookEventsPicker({ chosen, onChange }: { chosen: readonly string[]; onChange: (events: string[]) => void }) {
  const toggle = (type: string, on: boolean) => onChange(on ? [...chosen, type] : chosen.filter((t) => t !== type));
  return (
    <fieldset className="field">
      <legend>Events</legend>
      <p className="hint">At least one. Each is sent as a signed POST with the event in the body.</p>
      <div className="scope-grid">
        {WEBHOOK_EVENTS.map(({ type, description }) => (
          <label key={type} className="scope-option">
            <input type="checkbox" checked={chosen.includes(type)} onChange={(e) => toggle(type, e.target.checked)} />
            <span>
              <code>{type}</code>
              <span className="hint">{description}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
