import type { Kysely } from 'kysely';
import type { AnyChannel } from '../core/index.ts';
import type { KeyedHasher } from '../intel/keyed-hash.ts';
import type { Database } from '../store/schema.ts';
import { createContractChannel } from './contract/index.ts';
import { message } from './message/index.ts';

/** What a channel may be built with: the database (for its own tables) and the keyed hasher. */
export interface ChannelDeps {
  readonly db: Kysely<Database>;
  readonly hasher: KeyedHasher;
}

/**
 * Every channel Mamoru serves, registered explicitly here (importing a channel
 * module has no side effects). Adding a channel is one folder and one line.
 */
export function createChannels(deps: ChannelDeps): AnyChannel[] {
  return [message, createContractChannel(deps)];
}
