import type { AnyChannel, ChannelPlugin } from '../core/index.ts';
import type { StoreMigrations } from '../store/store.ts';
import type { ChannelDeps } from './channel-deps.ts';
import { contractPlugin } from './contract/index.ts';
import { mailPlugin } from './mail/index.ts';
import { messagePlugin } from './message/index.ts';

export type { ChannelDeps } from './channel-deps.ts';

/** A channel as this registry lists it: built with `ChannelDeps`. */
export type RegisteredChannel = ChannelPlugin<ChannelDeps>;

/**
 * Every channel Mamoru serves, registered explicitly here (importing a channel
 * module has no side effects). Adding a channel is one folder (its module,
 * tables and migrations) and one line here (issue 8, item 1).
 */
export const CHANNEL_PLUGINS: readonly RegisteredChannel[] = [messagePlugin, contractPlugin, mailPlugin];

/**
 * The channels' migrations by channel, for the store to run with the core's
 * (`openStore({ migrations })`) before any channel is built.
 *
 * @throws Error when two plug-ins share a name (their migrations could not be told apart).
 * @example const store = await openStore({ dataDir, migrations: channelMigrations() });
 */
export function channelMigrations(plugins: readonly RegisteredChannel[] = CHANNEL_PLUGINS): StoreMigrations {
  const byChannel: Record<string, StoreMigrations[string]> = {};
  for (const plugin of plugins) {
    if (Object.hasOwn(byChannel, plugin.name))
      throw new Error(
        `チャネル ${plugin.name} が二度登録されています / channel ${plugin.name} is registered twice`,
      );
    byChannel[plugin.name] = plugin.migrations ?? {};
  }
  return byChannel;
}

/**
 * Build every registered channel on the migrated database.
 *
 * @throws Error when a plug-in builds a channel of another name than its own.
 * @example const channels = createChannels({ db: store.db, hasher, decisions: store.decisions });
 */
export function createChannels(
  deps: ChannelDeps,
  plugins: readonly RegisteredChannel[] = CHANNEL_PLUGINS,
): AnyChannel[] {
  return plugins.map((plugin) => {
    const channel = plugin.create(deps);
    if (channel.name !== plugin.name)
      throw new Error(
        `チャネル ${plugin.name} のプラグインが ${channel.name} を作りました / the ${plugin.name} plug-in built channel ${channel.name}`,
      );
    return channel;
  });
}
