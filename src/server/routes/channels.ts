import { z } from 'zod';
import { ACTIONS, type AnyChannel, operationMethod, type SignalDeclaration } from '../../core/index.ts';
import { isEngineSignal } from '../../core/policy.ts';
import { POLICY_SIGNALS } from '../../core/signals.ts';
import type { Mamoru } from '../../mamoru.ts';
import { type App, actorOf } from '../route-kit.ts';
import { errorResponses } from '../schemas.ts';

const localizedText = z.object({ ja: z.string(), en: z.string() });

/** One signal a channel can raise, as the catalogue and the policy schema show it. */
export const channelSignalSchema = z
  .object({
    name: z.string(),
    group: z.string(),
    weight: z.number().describe('既定の重み / the default weight (a policy may override it)'),
    description: localizedText,
    forceAction: z
      .enum(ACTIONS)
      .optional()
      .describe('既定で強制される判定 / the action it forces by default'),
    tunable: z
      .boolean()
      .describe(
        'ポリシーの signals で重み等を変えられるか（エンジン固有のものは overrides で）/ whether a policy may set it under signals (the engine’s own go through overrides)',
      ),
  })
  .meta({ id: 'ChannelSignal' });

export type ChannelSignal = z.infer<typeof channelSignalSchema>;

const channelSchema = z
  .object({
    name: z.string(),
    title: localizedText,
    signals: z.array(channelSignalSchema).readonly(),
    example: z.unknown().describe('審査 API に送る例 / an example payload for POST /v1/screen/<channel>'),
    operations: z
      .array(
        z.object({
          name: z.string(),
          method: z.string(),
          path: z.string().describe('the route: /v1/<channel>/<path>'),
          permission: z.string(),
          title: localizedText.optional(),
        }),
      )
      .readonly(),
  })
  .meta({ id: 'Channel' });

/**
 * The signals a channel can raise: the engine's own (POLICY_*, which it adds
 * to every channel's catalogue) and the channel's declarations (INTEL_MATCH_*
 * where the channel declares them), each once, by name.
 */
export function channelSignals(channel: AnyChannel): ChannelSignal[] {
  const seen = new Set<string>();
  const out: ChannelSignal[] = [];
  const add = (s: SignalDeclaration) => {
    if (seen.has(s.name)) return;
    seen.add(s.name);
    out.push({
      name: s.name,
      group: s.group,
      weight: s.weight,
      description: { ja: s.description.ja, en: s.description.en },
      ...(s.forceAction ? { forceAction: s.forceAction } : {}),
      tunable: !isEngineSignal(s.name),
    });
  };
  for (const s of POLICY_SIGNALS) add(s);
  for (const s of channel.signals) add(s);
  return out;
}

function describeChannel(channel: AnyChannel) {
  return {
    name: channel.name,
    title: { ja: channel.title.ja, en: channel.title.en },
    signals: channelSignals(channel),
    example: channel.example as unknown,
    operations: (channel.operations ?? []).map((op) => ({
      name: op.name,
      method: operationMethod(op),
      path: `/v1/${channel.name}/${op.path}`,
      permission: op.permission,
      title: { ja: op.summary.ja, en: op.summary.en },
    })),
  };
}

/** The channel catalogue: what each served channel screens, raises and offers (any key). */
export async function channelRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  // The registry does not change while the server runs: built once.
  const catalogue = { items: mamoru.channels().map(describeChannel) };
  app.get(
    '/v1/channels',
    {
      schema: {
        tags: ['channels'],
        summary: 'チャネルの一覧（シグナル・例・操作）/ The channel catalogue: signals, example, operations',
        description:
          '登録されたチャネルごとに、発火しうるシグナル（エンジン自身の POLICY_* と脅威情報の INTEL_MATCH_* を含む）、審査の例、チャネル固有の操作を返します。どのキーでも読めます。 / ' +
          'Each served channel: the signals it can raise (the engine’s own POLICY_* and the INTEL_MATCH_* it declares included), an example payload, and its own operations. Any key may read it.',
        response: { 200: z.object({ items: z.array(channelSchema).readonly() }), ...errorResponses },
      },
    },
    async (request) => {
      actorOf(request);
      return catalogue;
    },
  );
}
