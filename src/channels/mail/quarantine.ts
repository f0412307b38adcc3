import type { ChannelDeps } from '../channel-deps.ts';
import type { MailChannelOptions } from './index.ts';
import type { MailPart } from './mail-part.ts';

/** Filled in by issue 11's work on this part. */
export function quarantinePart(_deps: ChannelDeps, _options: MailChannelOptions): MailPart {
  return {};
}
