import type { Permission, Role } from '../../types.ts';

/** An API key as `GET /v1/keys` lists it (never its token). */
export interface ApiKey {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  readonly origin: string | null;
}

/** `POST /v1/keys` and the admin key of `POST /v1/orgs`: the token is in this answer only. */
export interface CreatedKey {
  readonly key: ApiKey;
  readonly token: string;
}

export interface OrganisationRow {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export const PERMISSIONS: readonly Permission[] = [
  'screen',
  'decisions:read',
  'decisions:audit',
  'cases:read',
  'cases:assign',
  'cases:comment',
  'cases:resolve',
  'indicators:read',
  'indicators:write',
  'lines:write',
  'subscribers:read',
  'subscribers:write',
  'reports:write',
  'policies:read',
  'policies:write',
  'keys:admin',
  'orgs:admin',
];

/**
 * What each role may do: a copy of `ROLE_PERMISSIONS` in src/cases/roles.ts
 * (the server's rule; the API has no route for it), shown read-only.
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS,
  analyst: [
    'screen',
    'decisions:read',
    'cases:read',
    'cases:assign',
    'cases:comment',
    'cases:resolve',
    'indicators:read',
    'indicators:write',
    'lines:write',
    'subscribers:read',
    'subscribers:write',
    'reports:write',
    'policies:read',
    'policies:write',
  ],
  reviewer: [
    'decisions:read',
    'cases:read',
    'cases:assign',
    'cases:comment',
    'cases:resolve',
    'indicators:read',
    'policies:read',
  ],
  agent: ['screen', 'decisions:read', 'cases:read', 'cases:comment'],
  system: [
    'screen',
    'decisions:read',
    'cases:read',
    'cases:assign',
    'cases:comment',
    'indicators:read',
    'indicators:write',
    'lines:write',
    'subscribers:read',
    'subscribers:write',
    'reports:write',
    'policies:read',
  ],
};

/** Roles whose key may be bound to one origin (a shop, an agency, an MTA). */
export const ORIGIN_ROLES: ReadonlySet<Role> = new Set(['agent', 'system']);
