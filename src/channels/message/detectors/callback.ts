import type { MessagePart } from '../message-part.ts';

/** MESSAGE_CALLBACK_LURE (I1): pushes the recipient to call a number. */
export function callbackPart(): MessagePart {
  return {};
}
