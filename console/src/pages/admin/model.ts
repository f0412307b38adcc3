import type { Role } from '../../types.ts';

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

/** Roles whose key may be bound to one origin (a shop, an agency, an MTA). */
export const ORIGIN_ROLES: ReadonlySet<Role> = new Set(['agent', 'system']);
