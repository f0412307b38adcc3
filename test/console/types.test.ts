import { describe, expect, it } from 'vitest';
import { ACTIONS, INDICATOR_TYPES, type Permission, ROLES } from '../../console/src/types.ts';
import { PERMISSIONS as SERVER_PERMISSIONS, ROLES as SERVER_ROLES } from '../../src/cases/roles.ts';
import { ACTIONS as SERVER_ACTIONS, INDICATOR_TYPES as SERVER_TYPES } from '../../src/core/index.ts';

/** The console keeps its own copy of the API's vocabularies (it is a browser bundle): they must agree. */
describe('console vocabularies match the server', () => {
  it('actions, roles and indicator types', () => {
    expect([...ACTIONS]).toEqual([...SERVER_ACTIONS]);
    expect([...ROLES]).toEqual([...SERVER_ROLES]);
    expect([...INDICATOR_TYPES]).toEqual([...SERVER_TYPES]);
  });
  it('every server permission is a console Permission', () => {
    const all: readonly Permission[] = SERVER_PERMISSIONS;
    expect(all.length).toBeGreaterThan(0);
  });
});
