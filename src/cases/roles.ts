import { MamoruError } from '../core/errors.ts';
import { ROLES, type Role } from '../store/store.ts';

export { ROLES, type Role };

/**
 * Everything a role may be allowed to do. Names are `resource:verb`; `screen`
 * is submitting events for a verdict. Stable identifiers: API docs and audit
 * records name them.
 */
export const PERMISSIONS = [
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
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * What each role may do.
 *
 * - `admin` — everything, including API keys and organisations.
 * - `analyst` — works cases, maintains indicators and a carrier's lines,
 *   subscribers' message-filter settings and their fraud reports, and tunes
 *   policies.
 * - `reviewer` — HQ staff (本部): works and resolves cases (exceptions,
 *   escalations from agencies, appeals); reads indicators and policies.
 * - `agent` — a shop or sales agency (販売代理店): screens events, reads its
 *   organisation's decisions and cases and adds context as comments, but never
 *   resolves a case — the exception is decided at HQ (P2).
 * - `system` — an integration or job: screens, imports indicator feeds and
 *   records line activations and cancellations (the carrier's provisioning),
 *   sets subscribers' message-filter settings and passes on their reports
 *   (the carrier's app, I3), may
 *   route (assign) and annotate cases, but never resolves one: a resolution is
 *   always a person's decision.
 */
export const ROLE_PERMISSIONS = {
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
} as const satisfies Record<Role, readonly Permission[]>;

const GRANTS: ReadonlyMap<Role, ReadonlySet<Permission>> = new Map(
  ROLES.map((role) => [role, new Set<Permission>(ROLE_PERMISSIONS[role])]),
);

/**
 * Who is acting: an API key or a console user, with its role, inside one
 * organisation. Every case operation is scoped to `orgId`.
 */
export interface Actor {
  /** The API key id or user id; recorded in case history as the actor. */
  readonly id: string;
  readonly role: Role;
  readonly orgId: string;
  /**
   * The one origin (`shop:<id>`, `agency:<id>` or `online`) an origin-bound agent key
   * acts for: it screens that origin's events and sees that origin's cases.
   */
  readonly origin?: string | undefined;
}

/**
 * What an origin-bound key may do, whatever its role grants: screen, and read
 * and comment on its origin's cases. Its verdicts come back in the screen
 * response; the organisation's decision log is not an origin's to read.
 */
const ORIGIN_PERMISSIONS: ReadonlySet<Permission> = new Set(['screen', 'cases:read', 'cases:comment']);

/** Whether a value names a permission (an operation's declared permission is checked at start). */
export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (PERMISSIONS as readonly string[]).includes(value);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Whether a role holds a permission. Unknown roles hold nothing.
 *
 * @example can('agent', 'cases:resolve') // false
 */
export function can(role: Role, permission: Permission): boolean {
  return GRANTS.get(role)?.has(permission) ?? false;
}

/** Everything the actor may do: its role's grants, narrowed for an origin-bound key (what `/v1/me` tells the console). */
export function permissionsOf(actor: Actor): Permission[] {
  return PERMISSIONS.filter(
    (p) => can(actor.role, p) && (actor.origin === undefined || ORIGIN_PERMISSIONS.has(p)),
  );
}

/** Throw `forbidden` unless the actor's role holds the permission. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor.role, permission)) {
    throw new MamoruError('forbidden', `role ${actor.role} may not ${permission}`);
  }
  if (actor.origin !== undefined && !ORIGIN_PERMISSIONS.has(permission)) {
    throw new MamoruError('forbidden', `a key bound to origin ${actor.origin} may not ${permission}`);
  }
}
