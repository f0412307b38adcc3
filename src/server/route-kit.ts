/** What every route module needs from the server: the typed app and the caller's actor. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type Actor, type Permission, requirePermission } from '../cases/roles.ts';
import { MamoruError } from '../core/index.ts';

/** The typed Fastify instance every route module receives. */
export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  import('fastify').FastifyBaseLogger,
  ZodTypeProvider
>;

/** The caller, or a 401: every /v1 route runs behind the Bearer key check. */
export function actorOf(request: FastifyRequest, permission?: Permission): Actor {
  const actor = request.actor;
  if (!actor) throw new MamoruError('unauthenticated', 'a Bearer API key is required');
  if (permission) requirePermission(actor, permission);
  return actor;
}
