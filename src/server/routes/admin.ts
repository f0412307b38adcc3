import { z } from 'zod';
import { PERMISSIONS, permissionsOf, ROLE_PERMISSIONS, ROLES } from '../../cases/roles.ts';
import { MamoruError, notFound, textField } from '../../core/index.ts';
import type { Mamoru } from '../../mamoru.ts';
import type { Organisation } from '../../store/store.ts';
import { pageFrom, pageQuery, pageSchema } from '../paging.ts';
import { type App, actorOf } from '../route-kit.ts';
import { apiKeySchema, errorResponses, idParams, organisationSchema, roleSchema } from '../schemas.ts';

const newKeyBody = z
  .object({
    name: textField('name', 100),
    role: roleSchema,
    origin: textField('name', 132)
      .optional()
      .describe(
        'agent・system キーを一つの発生元に限定（販売店・代理店・MTA など）/ bind an agent or system key to one origin (shop:<id>, agency:<id>, online…): it screens for that origin and sees its cases only',
      ),
    outlet: textField('name', 132).optional().describe('origin の旧名 / the older name of origin'),
  })
  .meta({ examples: [{ name: '浦和代理店 / Urawa agency', role: 'agent', origin: 'agency:agency-urawa' }] });
const createdKey = z.object({
  key: apiKeySchema,
  token: z.string().describe('The API key itself. Shown once; only a hash of it is stored'),
});

/**
 * Organisations and API keys. An admin manages its own organisation's keys;
 * only an admin of the operator organisation (the first one created) creates
 * organisations, issues their first keys and records partnerships.
 */
export async function adminRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  const requireOperator = async (orgId: string) => {
    if (!(await mamoru.isOperator(orgId))) {
      throw new MamoruError('forbidden', 'only an admin of the operator organisation may do this');
    }
  };

  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['admin'],
        summary: '自分のキーと組織 / The calling key and its organisation',
        response: {
          200: z.object({
            keyId: z.string(),
            role: roleSchema,
            origin: z
              .string()
              .nullable()
              .describe('キーが限定された発生元（なければ null）/ the origin the key is bound to, or null'),
            permissions: z
              .array(z.enum(PERMISSIONS))
              .describe('このキーでできること / what this key may do (the console shows only these)'),
            organisation: organisationSchema,
            operator: z.boolean(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const organisation = await mamoru.store.orgs.get(actor.orgId);
      if (!organisation) throw notFound('organisation');
      return {
        keyId: actor.id,
        role: actor.role,
        origin: actor.origin ?? null,
        permissions: permissionsOf(actor),
        organisation,
        operator: await mamoru.isOperator(actor.orgId),
      };
    },
  );

  app.get(
    '/v1/roles',
    {
      schema: {
        tags: ['admin'],
        summary: '役割と権限 / Roles and what each may do',
        description:
          'Each role with its permissions (an origin-bound key has at most screen, cases:read and cases:comment whatever its role). Any key may read it.',
        response: {
          200: z.object({
            items: z.array(z.object({ role: roleSchema, permissions: z.array(z.enum(PERMISSIONS)) })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      actorOf(request);
      return { items: ROLES.map((role) => ({ role, permissions: [...ROLE_PERMISSIONS[role]] })) };
    },
  );

  app.get(
    '/v1/orgs',
    {
      schema: {
        tags: ['admin'],
        summary: '組織の一覧 / Organisations',
        querystring: pageQuery({ max: 500, fallback: 100 }),
        response: { 200: pageSchema(organisationSchema), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'keys:admin');
      let all: Organisation[];
      if (await mamoru.isOperator(actor.orgId)) all = await mamoru.store.orgs.list();
      else {
        const own = await mamoru.store.orgs.get(actor.orgId);
        all = own ? [own] : [];
      }
      return pageFrom(all, (o) => o.id, request.query);
    },
  );

  app.post(
    '/v1/orgs',
    {
      schema: {
        tags: ['admin'],
        summary: '組織を作成し最初の管理者キーを発行 / Create an organisation and its first admin key',
        body: z
          .object({ name: textField('name', 200) })
          .meta({ examples: [{ name: 'サンプル通信 / Sample Mobile' }] }),
        response: {
          201: z.object({ organisation: organisationSchema, admin: createdKey }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request, 'orgs:admin');
      await requireOperator(actor.orgId);
      const organisation = await mamoru.store.orgs.create({ name: request.body.name });
      const admin = await mamoru.store.keys.create({
        orgId: organisation.id,
        name: 'admin',
        role: 'admin',
        createdBy: actor.id,
      });
      return reply.code(201).send({ organisation, admin });
    },
  );

  app.post(
    '/v1/orgs/:id/partners',
    {
      schema: {
        tags: ['admin'],
        summary:
          '組織間の共有関係を登録 / Record a partnership (partners see each other’s partner-scope indicators)',
        params: idParams,
        body: z
          .object({ partnerOrgId: textField('name', 200) })
          .meta({ examples: [{ partnerOrgId: 'org_06h4jfwphr001ap7803w3gp3d8' }] }),
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request, 'orgs:admin');
      await requireOperator(actor.orgId);
      const [a, b] = await Promise.all([
        mamoru.store.orgs.get(request.params.id),
        mamoru.store.orgs.get(request.body.partnerOrgId),
      ]);
      if (!a) throw notFound(`organisation ${request.params.id}`);
      if (!b)
        throw new MamoruError('validation_failed', 'partnerOrgId: no such organisation', {
          issues: [{ path: 'body.partnerOrgId', message: 'no such organisation' }],
        });
      if (a.id === b.id)
        throw new MamoruError('validation_failed', 'an organisation cannot partner with itself', {
          issues: [{ path: 'body.partnerOrgId', message: 'same as the organisation' }],
        });
      await mamoru.store.orgs.addPartner(a.id, b.id);
      // Each now sees the other's `partners` indicators: cached lookups are out of date.
      mamoru.intel.clearLookupCache();
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/keys',
    {
      schema: {
        tags: ['admin'],
        summary: 'API キーの一覧 / API keys of this organisation',
        querystring: pageQuery({ max: 500, fallback: 100 }),
        response: { 200: pageSchema(apiKeySchema), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'keys:admin');
      return pageFrom(await mamoru.store.keys.list(actor.orgId), (k) => k.id, request.query);
    },
  );

  app.post(
    '/v1/keys',
    {
      schema: {
        tags: ['admin'],
        summary: 'API キーを発行 / Create an API key',
        body: newKeyBody,
        response: { 201: createdKey, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request, 'keys:admin');
      return reply.code(201).send(await mamoru.createKey(actor, request.body));
    },
  );

  app.delete(
    '/v1/keys/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'API キーを失効 / Revoke an API key',
        params: idParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request, 'keys:admin');
      if (!(await mamoru.store.keys.revoke(actor.orgId, request.params.id)))
        throw notFound(`key ${request.params.id}`);
      return reply.code(204).send();
    },
  );
}
