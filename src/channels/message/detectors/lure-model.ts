import type { MessagePart } from '../message-part.ts';

/** MESSAGE_LURE_MODEL (I1): the content model's probability as a factor. Filled in by the ml work. */
export function lureModelPart(): MessagePart {
  return {};
}
