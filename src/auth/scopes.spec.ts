import { ALL_SCOPES, grants, isScope, missingScope, READ_SCOPES } from './scopes';

describe('scopes', () => {
  it('has the nine scopes of the spec, five of them read scopes', () => {
    expect(ALL_SCOPES).toHaveLength(9);
    expect(READ_SCOPES).toEqual(['agents:read', 'deployments:read', 'metrics:read', 'pipelines:read', 'gateways:read']);
  });

  it('lets <resource>:write include <resource>:read, and nothing else', () => {
    expect(grants(['agents:write'], 'agents:read')).toBe(true);
    expect(grants(['agents:read'], 'agents:write')).toBe(false);
    expect(grants(['deployments:write'], 'agents:read')).toBe(false);
    expect(grants(['metrics:read'], 'metrics:read')).toBe(true);
  });

  it('names the first missing scope', () => {
    expect(missingScope(['agents:read'], ['agents:read', 'gateways:write'])).toBe('gateways:write');
    expect(missingScope(['gateways:write'], ['gateways:read'])).toBeUndefined();
  });

  it('knows only its own scopes', () => {
    expect(isScope('agents:read')).toBe(true);
    expect(isScope('agent:read')).toBe(false);
    expect(isScope('constructor')).toBe(false);
    expect(isScope(undefined)).toBe(false);
  });
});
