import type { MailPart } from '../mail-part.ts';

/** Filled in by issue 11's work on this part. */
export function attachmentsPart(): MailPart {
  return {};
}
