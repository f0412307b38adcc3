import type { MessagePart } from '../message-part.ts';

/** POST_RECRUITMENT_CRIME (P7): recruitment for crimes (闇バイト). */
export function recruitmentPart(): MessagePart {
  return {};
}
