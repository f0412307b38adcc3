import { Tokenizer } from 'htmlparser2';

/**
 * The links of a mail's HTML body (issue 11 item 2, `MAIL_URL_*`; measures E1, E3): each anchor's
 * target and the text the reader sees, for the URL checks and the link-text/target mismatch
 * (`detectors/links.ts`). Tokenised with htmlparser2 (the HTML5 tokenizer's rules for unquoted and
 * broken attributes, character references in attributes and text — `&amp;`, `&#x2F;`, named
 * entities without a semicolon — implied end tags), not regular expressions: phishing kits write
 * exactly the HTML that a regex misreads.
 *
 * - `<a href>` and `<area href>` (image maps: the visible text is the `alt`); `<form action>` (a
 *   credential form posting elsewhere) with empty text.
 * - `<base href>`: the first one (as browsers do) resolves relative targets, wherever it stands.
 * - Text inside `<script>`, `<style>`, `<title>`, `<template>`… is not visible and is left out; an
 *   image's `alt` counts as text (mail readers block images); an `<a>` opened inside an open `<a>`
 *   closes the first (the HTML parsing rules).
 *
 * Bounded: at most {@link MAX_HTML} characters are tokenised (linear time: no element tree, see
 * `extractHtmlLinks`), at most {@link MAX_HTML_LINKS} links, each text at most {@link MAX_LINK_TEXT}
 * characters, each attribute at most {@link MAX_ATTRIBUTE}. Never throws.
 */

/** One link target of an HTML body and the text the reader sees. */
export interface HtmlLink {
  /** The target, resolved against `<base href>` when relative, as written otherwise (entities decoded). */
  readonly href: string;
  /** Visible text, whitespace collapsed (for `<area>` its `alt`; empty for a `<form>`). */
  readonly text: string;
  /** Which element gave the link. */
  readonly tag: 'a' | 'area' | 'form';
}

/** The most HTML characters read for links (a mail's lure is near the top; a hostile body is cut). */
export const MAX_HTML = 1_000_000;
/** The most links returned. */
export const MAX_HTML_LINKS = 500;
/** The most characters of one link's visible text. */
export const MAX_LINK_TEXT = 500;
/** The most characters kept of one attribute value (a target longer than this is cut). */
export const MAX_ATTRIBUTE = 8192;

/** Elements whose text the reader does not see. */
const HIDDEN = new Set(['script', 'style', 'title', 'template', 'noscript', 'head', 'textarea']);
const ATTRIBUTES = new Set(['href', 'alt', 'action']);

function collapse(text: string): string {
  return text.replace(/\s+/gu, ' ').trim().slice(0, MAX_LINK_TEXT);
}

/** A target resolved against the base (when there is one and the target is relative); as written otherwise. */
function resolve(href: string, base: string | undefined): string {
  const h = href.trim();
  if (base === undefined || /^[a-z][a-z0-9+.-]*:/iu.test(h)) return h;
  try {
    return new URL(h, base).href;
  } catch {
    return h;
  }
}

/**
 * The links of an HTML body with their visible text, in document order.
 *
 * htmlparser2's `Tokenizer` is used directly, not its `Parser`: the Parser keeps open elements in an
 * array it grows with `unshift` and searches on every closing tag, so a hostile body of 150 000
 * unclosed `<div>` took 30–40 s (measured). The links need no tree: the tokens, the open `<a>` and
 * a count of open hidden elements are enough, and the work stays linear in the input.
 *
 * @example extractHtmlLinks('<a href="https://x.example/?a=1&amp;b=2">www.bank.example</a>')
 * // → [{ href: 'https://x.example/?a=1&b=2', text: 'www.bank.example', tag: 'a' }]
 */
export function extractHtmlLinks(html: string): HtmlLink[] {
  return readHtml(html, 0).links;
}

/** What one pass over an HTML body gives: its links and its visible text. */
export interface HtmlReading {
  readonly links: HtmlLink[];
  /**
   * The text a reader sees (script, style, head… left out; an image's `alt` in its place; blocks
   * and line breaks as new lines), whitespace collapsed, at most `maxText` characters.
   */
  readonly text: string;
}

const BLOCKS = new Set([
  'br',
  'p',
  'div',
  'td',
  'th',
  'tr',
  'li',
  'table',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
]);

/**
 * The links and the visible text of an HTML body in one pass (see {@link extractHtmlLinks}). The
 * text is what the content model reads of a mail sent as HTML only: postal-mime gives no text part
 * for it, and half of the SpamAssassin corpus's later spam is HTML only.
 *
 * @example readHtml('<p>ご確認<br>ください</p><a href="https://x.example/">ログイン</a>').text // → 'ご確認\nください\nログイン'
 */
export function readHtml(html: string, maxText = 200_000): HtmlReading {
  if (typeof html !== 'string' || html === '') return { links: [], text: '' };
  const input = html.length > MAX_HTML ? html.slice(0, MAX_HTML) : html;
  const visible: string[] = [];
  let visibleLength = 0;
  const addVisible = (text: string) => {
    if (hidden > 0 || visibleLength >= maxText) return;
    visible.push(text);
    visibleLength += text.length;
  };
  const raw: { href: string; text: string; tag: HtmlLink['tag'] }[] = [];
  let base: string | undefined;
  let baseSeen = false;
  /** The open anchor: its target and the text gathered so far. */
  let anchor: { href: string; parts: string[]; length: number } | undefined;
  let hidden = 0;
  // The tag being read: its name and the attributes we use.
  let tag = '';
  let attribs: Record<string, string> = {};
  let attribute = '';
  let value = '';
  const full = () => raw.length >= MAX_HTML_LINKS;
  const closeAnchor = () => {
    if (anchor === undefined) return;
    if (!full()) raw.push({ href: anchor.href, text: collapse(anchor.parts.join('')), tag: 'a' });
    anchor = undefined;
  };
  const addText = (text: string) => {
    if (anchor === undefined || hidden > 0 || anchor.length > MAX_LINK_TEXT * 4) return;
    anchor.parts.push(text);
    anchor.length += text.length;
  };
  const addValue = (text: string) => {
    if (attribute !== '' && value.length < MAX_ATTRIBUTE) value += text;
  };
  const openTag = () => {
    const name = tag;
    tag = '';
    if (HIDDEN.has(name)) hidden++;
    if (BLOCKS.has(name)) addVisible('\n');
    switch (name) {
      case 'a':
        closeAnchor();
        if (attribs.href !== undefined && attribs.href.trim() !== '')
          anchor = { href: attribs.href, parts: [], length: 0 };
        break;
      case 'area':
        if (attribs.href !== undefined && attribs.href.trim() !== '' && !full())
          raw.push({ href: attribs.href, text: collapse(attribs.alt ?? ''), tag: 'area' });
        break;
      case 'form':
        if (attribs.action !== undefined && attribs.action.trim() !== '' && !full())
          raw.push({ href: attribs.action, text: '', tag: 'form' });
        break;
      case 'base':
        if (!baseSeen && attribs.href !== undefined) {
          baseSeen = true;
          try {
            const u = new URL(attribs.href.trim());
            if (u.protocol === 'http:' || u.protocol === 'https:') base = u.href;
          } catch {
            // An unusable base is ignored, as browsers ignore it.
          }
        }
        break;
      case 'br':
      case 'p':
      case 'div':
      case 'td':
      case 'li':
        addText(' ');
        break;
      case 'img':
        // An image's alt stands where the image is not shown (many mail readers block images).
        if (attribs.alt !== undefined) {
          addText(` ${attribs.alt} `);
          addVisible(` ${attribs.alt} `);
        }
        break;
    }
  };
  const slice = (start: number, end: number) => input.slice(start, end);
  const tokenizer = new Tokenizer(
    { decodeEntities: true },
    {
      onopentagname(start, end) {
        tag = slice(start, end).toLowerCase();
        attribs = {};
      },
      onattribname(start, end) {
        const name = slice(start, end).toLowerCase();
        attribute = ATTRIBUTES.has(name) && attribs[name] === undefined ? name : '';
        value = '';
      },
      onattribdata(start, end) {
        addValue(slice(start, Math.min(end, start + MAX_ATTRIBUTE)));
      },
      onattribentity(codepoint) {
        addValue(String.fromCodePoint(codepoint));
      },
      onattribend() {
        if (attribute !== '') attribs[attribute] = value;
        attribute = '';
        value = '';
      },
      onopentagend: openTag,
      onselfclosingtag: openTag,
      onclosetag(start, end) {
        const name = slice(start, end).toLowerCase();
        if (HIDDEN.has(name) && hidden > 0) hidden--;
        else if (name === 'a') closeAnchor();
        else if (name === 'p' || name === 'div' || name === 'td' || name === 'li') addText(' ');
        if (BLOCKS.has(name)) addVisible('\n');
      },
      ontext(start, end) {
        if (anchor === undefined && (hidden > 0 || visibleLength >= maxText)) return;
        const text = slice(start, end);
        addVisible(text);
        addText(text);
      },
      ontextentity(codepoint) {
        const text = String.fromCodePoint(codepoint);
        addVisible(text);
        addText(text);
      },
      oncdata() {},
      oncomment() {},
      ondeclaration() {},
      onprocessinginstruction() {},
      onend() {},
    },
  );
  try {
    tokenizer.write(input);
    tokenizer.end();
  } catch {
    // The tokenizer does not throw on markup; a failure here keeps what was read.
  }
  closeAnchor();
  const text = visible
    .join('')
    .replace(/[^\S\n]+/gu, ' ')
    .replace(/ ?\n[\s]*/gu, '\n')
    .trim()
    .slice(0, maxText);
  return { links: raw.map((l) => ({ href: resolve(l.href, base), text: l.text, tag: l.tag })), text };
}
