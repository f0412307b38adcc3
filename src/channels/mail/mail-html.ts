/** One anchor of an HTML body: its target and the text the reader sees. */
export interface HtmlLink {
  readonly href: string;
  readonly text: string;
}

const ANCHOR = /<a\b([^>]*)>([\s\S]*?)<\/a\s*>/giu;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/iu;
const TAG = /<[^>]*>/gu;

/**
 * The anchors of an HTML body with their visible text (first version: a
 * linear scan; issue 11's link checks replace it with a real tokenizer).
 */
export function extractHtmlLinks(html: string): HtmlLink[] {
  const out: HtmlLink[] = [];
  for (const m of html.matchAll(ANCHOR)) {
    const h = HREF.exec(m[1] ?? '');
    const href = h?.[1] ?? h?.[2] ?? h?.[3];
    if (!href) continue;
    const text = (m[2] ?? '').replace(TAG, ' ').replace(/\s+/gu, ' ').trim().slice(0, 500);
    out.push({ href, text });
    if (out.length >= 500) break;
  }
  return out;
}
