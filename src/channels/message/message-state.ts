import type { Detector, Enrichment, ScreenEvent } from '../../core/index.ts';
import { type ExtractedUrl, extractUrls } from '../../intel/url-extract.ts';
import { type NormalisedText, normaliseText } from '../../ml/normalise-text.ts';
import type { MessagePayload } from './message-schema.ts';

/**
 * What the message channel works out once per screening (`begin`), for every
 * detector to read from `ctx.state`: the normalised text (the models'
 * input, with its placeholders) and every URL in the text and in `urls`,
 * extracted through obfuscation (hxxp, [.], full-width dots, spaces).
 */
export interface MessageState {
  readonly text: NormalisedText;
  /** URLs found in the text, then those given apart, each once (by canonical URL). */
  readonly urls: readonly ExtractedUrl[];
}

/** A detector of the message channel. */
export type MessageDetector = Detector<MessagePayload, MessageState>;
/** An enrichment of the message channel. */
export type MessageEnrichment<T> = Enrichment<MessagePayload, MessageState, T>;

/** The per-screening state of a message. Pure; linear in the text's length. */
export function beginMessage(event: ScreenEvent<MessagePayload>): MessageState {
  const { payload } = event;
  const urls = extractUrls(payload.text);
  if (payload.urls) {
    const seen = new Set(urls.map((u) => u.url));
    for (const given of payload.urls) {
      for (const u of extractUrls(given)) {
        if (seen.has(u.url)) continue;
        seen.add(u.url);
        urls.push(u);
      }
    }
  }
  return { text: normaliseText(payload.text), urls };
}
