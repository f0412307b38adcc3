import { foldText } from './fold-text.ts';
import { checkRaw, invalidIndicator } from './invalid-indicator.ts';
import { asciiHostname, registrableDomain } from './normalise-domain.ts';

// RFC 5322 dot-atom text, letters and digits of any script allowed (RFC 6531).
const DOT_ATOM = /^[\p{L}\p{N}\p{M}!#$%&'*+\-/=?^_`{|}~]+(?:\.[\p{L}\p{N}\p{M}!#$%&'*+\-/=?^_`{|}~]+)*$/u;

/**
 * Normalise an e-mail address (measures E1–E3, I1): NFKC, local part in
 * lower case, domain in ASCII (IDN to punycode) and lower case. `mailto:`
 * and `<…>` are accepted. The domain must end in a known public suffix;
 * quoted local parts and IP-literal domains are refused. Provider-specific
 * folding (dots and `+tags` at some providers) is not applied: it is not
 * true of every domain.
 *
 * @throws MamoruError `invalid_indicator` naming what is wrong.
 * @example normaliseEmail('Taro.Yamada@例え.JP') // 'taro.yamada@xn--r8jz45g.jp'
 */
export function normaliseEmail(raw: string): string {
  let s = checkRaw('email', raw).normalize('NFKC').trim();
  if (/^mailto:/i.test(s)) s = s.slice(7);
  if (s.startsWith('<') && s.endsWith('>')) s = s.slice(1, -1).trim();
  const at = s.lastIndexOf('@');
  if (at < 0) throw invalidIndicator('email', 'has no @');
  const local = foldText(s.slice(0, at));
  if (local === '') throw invalidIndicator('email', 'has an empty local part');
  if (local.startsWith('"'))
    throw invalidIndicator('email', 'has a quoted local part, which is not supported');
  if (local.length > 64) throw invalidIndicator('email', 'has a local part longer than 64 characters');
  if (!DOT_ATOM.test(local)) throw invalidIndicator('email', `has an invalid local part ${local}`);
  const domainPart = s.slice(at + 1);
  if (domainPart.startsWith('['))
    throw invalidIndicator('email', 'has an IP-literal domain, which is not supported');
  const domain = asciiHostname(domainPart);
  if (typeof domain !== 'string') throw invalidIndicator('email', `domain ${domain.error}`);
  const registrable = registrableDomain(domain);
  if (typeof registrable !== 'string') throw invalidIndicator('email', `domain ${registrable.error}`);
  const address = `${local}@${domain}`;
  if (address.length > 254) throw invalidIndicator('email', 'is longer than 254 characters');
  return address;
}
