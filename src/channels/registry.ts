import type { AnyChannel } from '../core/index.ts';
import { message } from './message/index.ts';

/**
 * Every channel Mamoru serves, registered explicitly here (importing a channel
 * module has no side effects). Adding a channel is one folder and one line.
 */
export const channels: readonly AnyChannel[] = Object.freeze([message]);
