import { describe, expect, it } from 'vitest';
import { MamoruError } from '../core/errors.ts';
import {
  type Actor,
  can,
  isRole,
  PERMISSIONS,
  type Permission,
  ROLE_PERMISSIONS,
  ROLES,
  requirePermission,
} from './roles.ts';

const who = (role: Actor['role']): Actor => ({ id: `key_${role}`, role, orgId: 'org_a' });

describe('roles', () => {
  it('resolving cases is for reviewers, analysts and admins only', () => {
    expect(ROLES.filter((r) => can(r, 'cases:resolve'))).toEqual(['admin', 'analyst', 'reviewer']);
  });

  it('agents submit (screen, comment, read) but never resolve or assign', () => {
    expect(can('agent', 'screen')).toBe(true);
    expect(can('agent', 'cases:comment')).toBe(true);
    expect(can('agent', 'cases:read')).toBe(true);
    expect(can('agent', 'cases:resolve')).toBe(false);
    expect(can('agent', 'cases:assign')).toBe(false);
    expect(can('agent', 'indicators:write')).toBe(false);
  });

  it('the system role routes and annotates cases but never resolves one', () => {
    expect(can('system', 'cases:assign')).toBe(true);
    expect(can('system', 'cases:comment')).toBe(true);
    expect(can('system', 'cases:resolve')).toBe(false);
  });

  it('lines (what line caps count) are written by admins, analysts and integrations, never by shops or HQ reviewers', () => {
    expect(ROLES.filter((r) => can(r, 'lines:write'))).toEqual(['admin', 'analyst', 'system']);
  });

  it('only admins manage keys and organisations', () => {
    for (const p of ['keys:admin', 'orgs:admin'] as const) {
      expect(ROLES.filter((r) => can(r, p))).toEqual(['admin']);
    }
  });

  it('admins hold every permission', () => {
    for (const p of PERMISSIONS) expect(can('admin', p)).toBe(true);
  });

  it('reviewers read policies but do not write them; analysts do', () => {
    expect(can('reviewer', 'policies:read')).toBe(true);
    expect(can('reviewer', 'policies:write')).toBe(false);
    expect(can('analyst', 'policies:write')).toBe(true);
  });

  it('the table names only known permissions, each once per role', () => {
    for (const role of ROLES) {
      const granted: readonly Permission[] = ROLE_PERMISSIONS[role];
      expect(new Set(granted).size).toBe(granted.length);
      for (const p of granted) expect(PERMISSIONS).toContain(p);
    }
  });

  it('an unknown role holds nothing', () => {
    expect(can('root' as Actor['role'], 'screen')).toBe(false);
    expect(isRole('root')).toBe(false);
    expect(isRole('reviewer')).toBe(true);
  });
});

describe('requirePermission', () => {
  it('throws forbidden when the role lacks the permission', () => {
    let caught: unknown;
    try {
      requirePermission(who('agent'), 'cases:resolve');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MamoruError);
    expect((caught as MamoruError).code).toBe('forbidden');
  });

  it('passes when the role holds it', () => {
    expect(() => requirePermission(who('reviewer'), 'cases:resolve')).not.toThrow();
  });
});
