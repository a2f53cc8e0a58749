import { ALL_SCOPES, READ_SCOPES, Scope } from '../auth/scopes';
import { capScopes } from './role';

describe('capScopes', () => {
  it('leaves the scopes of a key held by an owner, admin or developer as they are (the same array)', () => {
    const scopes: Scope[] = [...ALL_SCOPES];
    for (const role of ['owner', 'admin', 'developer'] as const) expect(capScopes(scopes, role)).toBe(scopes);
  });

  it("shrinks a viewer's write scopes to the matching read scopes and adds nothing the key lacked", () => {
    expect(capScopes(['agents:write', 'deployments:read', 'pipelines:write'], 'viewer')).toEqual([
      'agents:read',
      'deployments:read',
      'pipelines:read',
    ]);
    expect(capScopes(['agents:write', 'agents:read'], 'viewer')).toEqual(['agents:read']);
    expect(capScopes([...ALL_SCOPES], 'viewer').sort()).toEqual([...READ_SCOPES].sort());
    expect(capScopes([], 'viewer')).toEqual([]);
  });
});
