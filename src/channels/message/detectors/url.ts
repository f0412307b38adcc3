import type { MessagePart } from '../message-part.ts';

/** MESSAGE_URL_* (I1): URL model, look-alike brands, hosting platforms, shorteners. */
export function urlPart(): MessagePart {
  return {};
}
