import { z } from 'zod';
import { MAX_MAIL_BYTES } from '../../channels/mail/index.ts';
import { MamoruError, textField } from '../../core/index.ts';
import { safeError } from '../../core/safe-error.ts';
import type { Mamoru } from '../../mamoru.ts';
import { verdictFor } from '../origin-view.ts';
import { toProblem } from '../problem.ts';
import { type App, actorOf } from '../route-kit.ts';
import { errorResponses, problemSchema, screenResultSchema } from '../schemas.ts';

/**
 * The screen routes' serialisers (issue 8, item 10): a verdict shown whole
 * (to a key of the whole organisation) goes out as the text the decision log
 * made of it (`Mamoru.answerJson`), not serialised a second time; anything
 * else (a verdict shown to a key bound to an origin, a problem) as
 * `JSON.stringify` writes it.
 */
function answerSerialiser(mamoru: Mamoru) {
  return (data: unknown): string => mamoru.answerJson(data) ?? JSON.stringify(data);
}

/** A batch's answer, each verdict in it as `answerSerialiser` writes one. */
function batchSerialiser(mamoru: Mamoru) {
  const answer = answerSerialiser(mamoru);
  return (data: { results?: readonly { index: number; verdict?: unknown; problem?: unknown }[] }): string => {
    const { results, ...rest } = data;
    if (!results) return JSON.stringify(data);
    const items = results.map((r) =>
      r.verdict === undefined ? JSON.stringify(r) : `{"index":${r.index},"verdict":${answer(r.verdict)}}`,
    );
    const others = JSON.stringify(rest);
    return `{"results":[${items.join(',')}]${others === '{}' ? '}' : `,${others.slice(1)}`}`;
  };
}

/**
 * Request bodies larger than the server's `bodyLimit` that a channel's events need (issue 11):
 * a mail of up to `MAX_MAIL_BYTES` (10,240,000, Postfix's `message_size_limit`) sent as
 * `rawBase64` is about 13.7 MB of JSON, and its envelope up to 1000 recipients. Only that
 * channel's route takes more; `/v1/events` and the rest keep the server's limit.
 */
export const SCREEN_BODY_LIMITS: Readonly<Record<string, number>> = {
  mail: Math.ceil(MAX_MAIL_BYTES / 3) * 4 + 2 * 1024 * 1024,
};

const eventIdQuery = z.object({
  eventId: textField('name', 200)
    .optional()
    .describe("The caller's id for this event; generated when absent"),
});

/**
 * `POST /v1/screen/{channel}` — one event, a synchronous verdict — and
 * `POST /v1/events` — a batch, where each event gets its verdict or its own
 * problem: one bad event never loses the others.
 */
export async function screenRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  for (const channel of mamoru.channels()) {
    app.post(
      `/v1/screen/${channel.name}`,
      {
        schema: {
          tags: ['screen'],
          summary: `${channel.title.ja}を審査 / Screen: ${channel.title.en}`,
          // The channel's own example is the request example of the OpenAPI document (`.meta` changes no
          // validation); `x-examples`, because zod leaves `examples` out of a schema that transforms.
          body: channel.schema.meta({
            'x-examples': {
              [channel.name]: {
                summary: `${channel.title.ja} / ${channel.title.en}`,
                value: channel.example,
              },
            },
          }),
          querystring: eventIdQuery,
          response: { 200: screenResultSchema, ...errorResponses },
        },
        serializerCompiler: () => answerSerialiser(mamoru),
        ...(SCREEN_BODY_LIMITS[channel.name] !== undefined
          ? { bodyLimit: Math.max(app.initialConfig.bodyLimit ?? 0, SCREEN_BODY_LIMITS[channel.name] ?? 0) }
          : {}),
      },
      async (request) => {
        const actor = actorOf(request, 'screen');
        const verdict = await mamoru.screen(actor, channel.name, request.body, {
          validated: true,
          ...(request.query.eventId ? { eventId: request.query.eventId } : {}),
        });
        return verdictFor(actor, verdict);
      },
    );
  }
  app.post(
    '/v1/screen/:channel',
    { schema: { hide: true, params: z.object({ channel: z.string().max(200) }) } },
    async (request) => {
      actorOf(request, 'screen');
      throw new MamoruError('unknown_channel', `unknown channel ${request.params.channel}`, {
        issues: [
          {
            path: 'channel',
            message: `must be one of ${mamoru
              .channels()
              .map((c) => c.name)
              .join(', ')}`,
          },
        ],
      });
    },
  );

  const batchItem = z.object({
    channel: z.string().min(1).max(50),
    id: textField('name', 200).optional(),
    payload: z.unknown(),
  });
  app.post(
    '/v1/events',
    {
      schema: {
        tags: ['screen'],
        summary: 'まとめて審査 / Screen a batch of events',
        body: z.object({ events: z.array(batchItem).min(1).max(1000) }).meta({
          examples: [
            {
              events: mamoru
                .channels()
                .map((c, i) => ({ channel: c.name, id: `evt-example-${i + 1}`, payload: c.example })),
            },
          ],
        }),
        response: {
          200: z.object({
            results: z
              .array(
                z.object({
                  index: z.number().int(),
                  verdict: screenResultSchema.optional(),
                  problem: problemSchema.optional(),
                }),
              )
              .readonly(),
            accepted: z.number().int(),
            rejected: z.number().int(),
          }),
          ...errorResponses,
        },
      },
      serializerCompiler: () => batchSerialiser(mamoru),
    },
    async (request) => {
      const actor = actorOf(request, 'screen');
      const events = request.body.events;
      const results = await Promise.all(
        events.map(async (item, index) => {
          try {
            const verdict = await mamoru.screen(
              actor,
              item.channel,
              item.payload,
              item.id ? { eventId: item.id } : {},
            );
            return { index, verdict: verdictFor(actor, verdict) };
          } catch (error) {
            const p = toProblem(error, request.url);
            // A fault on one event must not hide the verdicts already logged for the others.
            if (p.status >= 500) {
              request.log.error({ err: safeError(error), index }, 'batch event failed');
              return { index, problem: p };
            }
            const at = (path: string) =>
              p.code === 'unknown_channel'
                ? `events.${index}.channel`
                : `events.${index}.payload${path === '(body)' ? '' : `.${path}`}`;
            const errors = p.errors?.map((e) => ({ ...e, path: at(e.path) }));
            return { index, problem: { ...p, ...(errors ? { errors } : {}) } };
          }
        }),
      );
      const accepted = results.filter((r) => 'verdict' in r).length;
      return { results, accepted, rejected: results.length - accepted };
    },
  );
}
