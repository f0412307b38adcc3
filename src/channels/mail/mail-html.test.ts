import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractHtmlLinks, MAX_HTML_LINKS, MAX_LINK_TEXT, readHtml } from './mail-html.ts';

describe('extractHtmlLinks (E1: the links of a mail HTML body)', () => {
  it('reads anchors with their visible text, entities decoded in targets and text', () => {
    expect(
      extractHtmlLinks(
        '<p>Go <A HREF="https://x.example/a?b=1&amp;c=2&#x26;d=3">www.bank&#46;example <b>now</b></a></p>',
      ),
    ).toEqual([{ href: 'https://x.example/a?b=1&c=2&d=3', text: 'www.bank.example now', tag: 'a' }]);
  });

  it('reads unquoted and single-quoted attributes, and hrefs with > inside quotes', () => {
    const links = extractHtmlLinks(
      "<a href=https://a.example/x>A</a><a title='x>y' href='https://b.example/?q=>'>B</a>",
    );
    expect(links.map((l) => [l.href, l.text])).toEqual([
      ['https://a.example/x', 'A'],
      ['https://b.example/?q=>', 'B'],
    ]);
  });

  it('resolves relative targets against the first <base href>, wherever it stands', () => {
    const links = extractHtmlLinks(
      '<a href="login?x=1">L</a><base href="https://evil.example/kit/"><base href="https://other.example/"><a href="/p">P</a><a href="https://abs.example/">A</a>',
    );
    expect(links.map((l) => l.href)).toEqual([
      'https://evil.example/kit/login?x=1',
      'https://evil.example/p',
      'https://abs.example/',
    ]);
  });

  it('keeps relative targets as written without a usable base', () => {
    expect(extractHtmlLinks('<base href="javascript:x"><a href="/p">P</a>')[0]?.href).toBe('/p');
  });

  it('reads <area> with its alt and <form action> with no text', () => {
    expect(
      extractHtmlLinks(
        '<map><area shape=rect href="https://m.example/" alt="Amazon.co.jp"></map><form method=post action="https://collect.example/p.php"><input name=pw></form>',
      ),
    ).toEqual([
      { href: 'https://m.example/', text: 'Amazon.co.jp', tag: 'area' },
      { href: 'https://collect.example/p.php', text: '', tag: 'form' },
    ]);
  });

  it('leaves out text the reader does not see (script, style) and counts an image alt', () => {
    const links = extractHtmlLinks(
      '<a href="https://t.example/"><style>.x{}</style><script>var s="<a href=zz>no</a>";</script><img src=x alt="Logo">Shop</a>',
    );
    expect(links).toEqual([{ href: 'https://t.example/', text: 'Logo Shop', tag: 'a' }]);
  });

  it('closes an open anchor at the next <a>, and at the end of input', () => {
    const links = extractHtmlLinks('<a href="https://1.example/">one<a href="https://2.example/">two');
    expect(links.map((l) => [l.href, l.text])).toEqual([
      ['https://1.example/', 'one'],
      ['https://2.example/', 'two'],
    ]);
  });

  it('skips anchors without a target', () => {
    expect(extractHtmlLinks('<a name="top">top</a><a href="">e</a><a href="  ">s</a>')).toEqual([]);
  });

  it('bounds the number of links and the text of each', () => {
    expect(extractHtmlLinks('<a href="https://x.example/">x</a>'.repeat(MAX_HTML_LINKS + 50)).length).toBe(
      MAX_HTML_LINKS,
    );
    const text = extractHtmlLinks(`<a href="https://x.example/">${'y'.repeat(10_000)}</a>`)[0]?.text ?? '';
    expect(text.length).toBe(MAX_LINK_TEXT);
  });

  it('stays linear on hostile nesting (150 000 unclosed elements then stray closing tags)', () => {
    // htmlparser2's Parser took 30-40 s on this input (its open-element stack); the tokenizer is linear.
    const started = performance.now();
    const links = extractHtmlLinks(
      `${'<div><b>'.repeat(75_000)}<a href="https://x.example/">x</a>${'</p>'.repeat(100_000)}`,
    );
    expect(links).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('never throws and stays bounded on random and hostile HTML (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '<a href="https://a.example/">',
        '<a href=',
        '</a>',
        '<base href="https://b.example/">',
        '<base href="::">',
        '<area href="x" alt="y">',
        '<form action="/p">',
        '<script>',
        '</script>',
        '<style>',
        '&amp;',
        '&#xFFFFFF;',
        '&#0;',
        '<!--',
        '-->',
        '<![CDATA[',
        '<img alt="',
        '"',
        "'",
        '>',
        '<',
        '\u202e',
        '\ud800',
      ),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 200 }), (pieces) => {
        const links = extractHtmlLinks(pieces.join(''));
        expect(links.length).toBeLessThanOrEqual(MAX_HTML_LINKS);
        for (const l of links) {
          expect(typeof l.href).toBe('string');
          expect(l.text.length).toBeLessThanOrEqual(MAX_LINK_TEXT);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('readHtml (E1: what the content model reads of an HTML-only mail)', () => {
  it('gives the visible text: blocks as lines, entities decoded, alt text in place of images, no script, style or head', () => {
    const { text, links } = readHtml(
      '<html><head><title>件名</title><style>p{}</style></head><body><p>ご確認<br>ください&amp;</p>' +
        '<a href="https://x.example/">ログイン</a><img alt="Amazon"><table><tr><td>a</td><td>b</td></tr></table>' +
        '<script>var secret=1</script>end</body></html>',
    );
    expect(text).toBe('ご確認\nください&\nログイン Amazon\na\nb\nend');
    expect(links).toEqual([{ href: 'https://x.example/', text: 'ログイン', tag: 'a' }]);
  });

  it('never throws and keeps the text within its bound on any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.integer({ min: 0, max: 300 }), (html, max) => {
        const { text } = readHtml(html, max);
        expect(text.length).toBeLessThanOrEqual(max);
      }),
    );
  });
});
