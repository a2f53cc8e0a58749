/** The scopes of the spec, in its order. `<resource>:write` includes `<resource>:read`. */
export const SCOPE_DESCRIPTIONS = {
  'agents:read': 'View agents',
  'agents:write': 'Create/update/delete agents (includes agents:read)',
  'deployments:read': 'View deployments',
  'deployments:write': 'Create/manage deployments (includes deployments:read)',
  'metrics:read': 'View metrics',
  'pipelines:read': 'View pipelines',
  'pipelines:write': 'Create/manage pipelines (includes pipelines:read)',
  'gateways:read': 'View gateways',
  'gateways:write': 'Manage gateways (includes gateways:read)',
} as const;

/** Route metadata: the scopes a route requires (set by @Scopes(), read by the route policy). */
export const SCOPES_KEY = 'kaizen:scopes';

export type Scope = keyof typeof SCOPE_DESCRIPTIONS;

export const ALL_SCOPES = Object.keys(SCOPE_DESCRIPTIONS) as Scope[];
export const READ_SCOPES = ALL_SCOPES.filter((s) => s.endsWith(':read'));

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && Object.hasOwn(SCOPE_DESCRIPTIONS, value);
}

/** True when `granted` satisfies `required`, counting `x:write` as also granting `x:read`. */
export function grants(granted: readonly Scope[], required: Scope): boolean {
  if (granted.includes(required)) return true;
  if (!required.endsWith(':read')) return false;
  const write = `${required.slice(0, -':read'.length)}:write`;
  return (granted as readonly string[]).includes(write);
}

/** The first required scope that `granted` lacks, or undefined when all are held. */
export function missingScope(granted: readonly Scope[], required: readonly Scope[]): Scope | undefined {
  return required.find((scope) => !grants(granted, scope));
}
