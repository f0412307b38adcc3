import { inflateRawSync } from 'node:zlib';
import { defineSignals, type Hit } from '../../../core/index.ts';
import { extractHtmlLinks } from '../mail-html.ts';
import type { MailPart } from '../mail-part.ts';
import type { MailAttachment, MailDetector, MailState } from '../mail-state.ts';

/**
 * MAIL_ATTACHMENT_RISK (issue 11 item 2; measures E1, E3): attachments that deliver malware or a
 * phishing page — executables (by extension and by magic bytes: MZ/PE, ELF, Mach-O), scripts and
 * shortcuts, HTML and SVG pages (credential forms, HTML smuggling), disk images, archives holding
 * any of these (ZIP entries listed from the central directory, also when encrypted), encrypted
 * archives whose password is in the mail, macro documents (OOXML with vbaProject.bin, OLE with a
 * VBA storage), double extensions (`invoice.pdf.exe`), bidi controls in names, and a content that
 * is not what its name says. One hit per mail, its factor the worst finding's; evidence names each
 * file and why.
 *
 * The ZIP central directory and the OLE directory are read here, not with a library: listing names
 * and flags needs the fixed-layout records of APPNOTE 4.3.12/4.3.16 (and ZIP64's 4.3.14/4.3.15) and
 * a 128-byte-aligned name search — a few dozen bounded lines, where the npm ZIP readers decompress,
 * stream or allocate per entry and bring their own limits to audit. Only a ZIP inside a ZIP is
 * inflated (node:zlib, output capped) to list its names, one level deep.
 */

/** Weight 5 for the mail thresholds (warn 4, hold 8, block 40); the factor says how bad the worst file is. */
export const ATTACHMENT_WEIGHT = 5;

export const ATTACHMENT_SIGNALS = defineSignals([
  {
    name: 'MAIL_ATTACHMENT_RISK',
    group: 'attachment',
    weight: ATTACHMENT_WEIGHT,
    description: {
      ja: '危険な添付ファイル（実行ファイル、スクリプト、HTML、ディスクイメージ、マクロ付き文書、それらを含む圧縮ファイル）',
      en: 'A dangerous attachment (executable, script, HTML page, disk image, macro document, or an archive holding one)',
    },
    reason: {
      ja: '添付ファイル {file} は危険です（{why}）',
      en: 'Attachment {file} is dangerous ({why})',
    },
    customer: {
      ja: 'ウイルスや偽サイトの可能性がある添付ファイルが含まれています',
      en: 'Contains an attachment that may be malware or a fake site',
    },
  },
]);

/** How bad a finding is: its factor of {@link ATTACHMENT_WEIGHT}. */
export const SEVERITY = Object.freeze({
  /** A program, or a file disguised as a document (double extension, bidi controls, magic bytes): 12, quarantined. */
  executable: 2.4,
  /** A script or shortcut Windows runs on a double-click: 10. */
  script: 2,
  /** A disk image (ISO, IMG, VHD: Mark-of-the-Web bypass) or an HTML page with a form or smuggling script: 8. */
  image: 1.6,
  active_html: 1.6,
  /** A macro document: 7, warns; with one more sign quarantined. */
  macro: 1.4,
  /** An encrypted archive whose password is in the mail's text: 6. */
  password_in_text: 1.2,
  /** An HTML or SVG page: 5. */
  html: 1,
  /** An archive whose entries cannot be listed (RAR, 7z, CAB, ACE…): 2. */
  opaque_archive: 0.4,
  /** An encrypted archive, password not in the mail (Japanese business mail still sends these): 2.5. */
  encrypted: 0.5,
} as const);
export type Severity = keyof typeof SEVERITY;

export interface Finding {
  readonly file: string;
  readonly severity: Severity;
  readonly why: string;
}

const EXECUTABLE_EXT = new Set([
  'exe',
  'scr',
  'com',
  'pif',
  'cpl',
  'msi',
  'msp',
  'msix',
  'appx',
  'dll',
  'sys',
  'elf',
  'run',
  'app',
  'dmg',
  'pkg',
  'apk',
  'xll',
]);
const SCRIPT_EXT = new Set([
  'js',
  'jse',
  'vbs',
  'vbe',
  'wsf',
  'wsh',
  'wsc',
  'hta',
  'lnk',
  'bat',
  'cmd',
  'ps1',
  'psm1',
  'psc1',
  'jar',
  'msc',
  'reg',
  'scf',
  'iqy',
  'slk',
  'chm',
  'inf',
  'sct',
  'one',
  'application',
  'gadget',
  'vb',
  'sh',
  'py',
  'library-ms',
  'settingcontent-ms',
]);
const IMAGE_EXT = new Set(['iso', 'img', 'vhd', 'vhdx', 'udf']);
const HTML_EXT = new Set(['html', 'htm', 'shtml', 'xhtml', 'mht', 'mhtml', 'svg', 'svgz', 'xht']);
const MACRO_EXT = new Set(['docm', 'dotm', 'xlsm', 'xltm', 'xlam', 'pptm', 'potm', 'ppam', 'ppsm', 'sldm']);
const OPAQUE_ARCHIVE_EXT = new Set([
  'rar',
  '7z',
  'cab',
  'ace',
  'arj',
  'r00',
  'r01',
  'xz',
  'bz2',
  'z',
  'lzh',
  'tar',
  'tgz',
]);
/** Extensions a reader takes for a document or picture: before a risky one, a disguise. */
const DOCUMENT_EXT = new Set([
  'pdf',
  'doc',
  'docx',
  'xls',
  'xlsx',
  'ppt',
  'pptx',
  'txt',
  'rtf',
  'csv',
  'jpg',
  'jpeg',
  'png',
  'gif',
  'bmp',
  'tif',
  'tiff',
  'mp3',
  'mp4',
  'wav',
  'zip',
]);
/** Bidi controls and invisible marks that reorder or hide a name's characters (`invoice‮fdp.exe` shows as invoiceexe.pdf). */
const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** The extension of a name, lower case, without trailing dots or spaces ('' for none). */
export function extensionOf(name: string): string {
  const trimmed = name.replace(/[\s.]+$/u, '');
  const dot = trimmed.lastIndexOf('.');
  if (dot < 0 || dot === trimmed.length - 1) return '';
  return trimmed.slice(dot + 1).toLowerCase();
}

/** The extension before the last one (`invoice.pdf.exe` → pdf), with the spaces lures pad between them. */
function innerExtension(name: string): string {
  const trimmed = name.replace(/[\s.]+$/u, '');
  const dot = trimmed.lastIndexOf('.');
  return dot < 0 ? '' : extensionOf(trimmed.slice(0, dot).trimEnd());
}

/** The severity of a name alone (inside an archive or attached), with why. */
export function nameRisk(name: string): Omit<Finding, 'file'> | undefined {
  const ext = extensionOf(name);
  let base: Omit<Finding, 'file'> | undefined;
  if (EXECUTABLE_EXT.has(ext)) base = { severity: 'executable', why: `executable .${ext}` };
  else if (SCRIPT_EXT.has(ext)) base = { severity: 'script', why: `script or shortcut .${ext}` };
  else if (IMAGE_EXT.has(ext)) base = { severity: 'image', why: `disk image .${ext}` };
  else if (MACRO_EXT.has(ext)) base = { severity: 'macro', why: `macro document .${ext}` };
  else if (HTML_EXT.has(ext)) base = { severity: 'html', why: `HTML page .${ext}` };
  // An Internet shortcut opens a web address (or an SMB share): a link, counted like an HTML page.
  else if (ext === 'url') base = { severity: 'html', why: 'Internet shortcut .url' };
  const inner = innerExtension(name);
  if (base !== undefined && DOCUMENT_EXT.has(inner))
    return { severity: 'executable', why: `${base.why} disguised by a double extension .${inner}.${ext}` };
  if (BIDI.test(name))
    return {
      severity: 'executable',
      why: `${base ? `${base.why}; ` : ''}bidi control characters in the name`,
    };
  return base;
}

// ---------------------------------------------------------------------------------------------
// ZIP central directory (APPNOTE.TXT 6.3.10): the entry names and their encryption flag.

export interface ZipEntry {
  readonly name: string;
  readonly encrypted: boolean;
  /** Compression method (0 stored, 8 deflate). */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the entry's local header. */
  readonly offset: number;
}

/** The most entries listed of one archive. */
export const MAX_ZIP_ENTRIES = 1000;
const EOCD = 0x06054b50;
const CEN = 0x02014b50;
const LOC = 0x04034b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;

function u16(b: Uint8Array, at: number): number {
  return at >= 0 && at + 2 <= b.length ? (b[at] as number) | ((b[at + 1] as number) << 8) : -1;
}
function u32(b: Uint8Array, at: number): number {
  return at >= 0 && at + 4 <= b.length
    ? ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16)) +
        (b[at + 3] as number) * 0x1000000
    : -1;
}
function u64(b: Uint8Array, at: number): number {
  const lo = u32(b, at);
  const hi = u32(b, at + 4);
  return lo < 0 || hi < 0 ? -1 : hi * 0x100000000 + lo;
}

function entryName(bytes: Uint8Array, utf8: boolean): string {
  // Names not flagged UTF-8 are CP437 (or, from Japanese Windows, Shift_JIS): latin1 keeps the ASCII
  // extension readable either way, which is what the checks read.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString(utf8 ? 'utf8' : 'latin1')
    .slice(0, 500);
}

/** The entries from the local headers, for an archive whose central directory is missing or cut. */
function localEntries(b: Uint8Array): ZipEntry[] {
  const out: ZipEntry[] = [];
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const sig = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
  for (let at = buf.indexOf(sig); at >= 0 && out.length < MAX_ZIP_ENTRIES; at = buf.indexOf(sig, at + 4)) {
    const flags = u16(b, at + 6);
    const nameLength = u16(b, at + 26);
    if (flags < 0 || nameLength <= 0 || at + 30 + nameLength > b.length) continue;
    out.push({
      name: entryName(b.subarray(at + 30, at + 30 + nameLength), (flags & 0x800) !== 0),
      encrypted: (flags & 1) !== 0,
      method: u16(b, at + 8),
      compressedSize: u32(b, at + 18),
      size: u32(b, at + 22),
      offset: at,
    });
  }
  return out;
}

/**
 * The entries of a ZIP archive from its central directory (ZIP64 too), at most
 * {@link MAX_ZIP_ENTRIES}; from the local headers when there is no readable central directory (a cut
 * or damaged archive that unzip tools still open). Never throws; [] for what is no ZIP.
 */
export function zipEntries(b: Uint8Array): ZipEntry[] {
  if (b.length < 22) return [];
  // The end record is in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let at = b.length - 22; at >= Math.max(0, b.length - 22 - 0xffff); at--)
    if (b[at] === 0x50 && u32(b, at) === EOCD) {
      eocd = at;
      break;
    }
  if (eocd < 0) return localEntries(b);
  let count = u16(b, eocd + 10);
  let size = u32(b, eocd + 12);
  let offset = u32(b, eocd + 16);
  if (
    (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) &&
    u32(b, eocd - 20) === ZIP64_LOCATOR
  ) {
    const z = u64(b, eocd - 12);
    if (z >= 0 && z + 56 <= b.length && u32(b, z) === ZIP64_EOCD) {
      count = u64(b, z + 32);
      size = u64(b, z + 40);
      offset = u64(b, z + 48);
    }
  }
  // Data before the archive (a self-extractor's stub, a prepended decoy) shifts every offset: the
  // directory ends where the end record starts.
  if (u32(b, offset) !== CEN && eocd - size >= 0 && u32(b, eocd - size) === CEN) offset = eocd - size;
  if (u32(b, offset) !== CEN) return count > 0 ? localEntries(b) : [];
  const out: ZipEntry[] = [];
  let at = offset;
  while (out.length < Math.min(count, MAX_ZIP_ENTRIES) && u32(b, at) === CEN) {
    const flags = u16(b, at + 8);
    const nameLength = u16(b, at + 28);
    const extra = u16(b, at + 30);
    const comment = u16(b, at + 32);
    if (at + 46 + nameLength > b.length) break;
    out.push({
      name: entryName(b.subarray(at + 46, at + 46 + nameLength), (flags & 0x800) !== 0),
      encrypted: (flags & 1) !== 0,
      method: u16(b, at + 10),
      compressedSize: u32(b, at + 20),
      size: u32(b, at + 24),
      offset: u32(b, at + 42),
    });
    at += 46 + nameLength + extra + comment;
  }
  return out;
}

/** The most bytes a nested ZIP may inflate to (listing only), and the most nested ZIPs opened per archive. */
const MAX_NESTED_BYTES = 16 * 1024 * 1024;
const MAX_NESTED = 3;

/** The bytes of a stored or deflated entry (for a ZIP inside a ZIP), or undefined. */
function entryBytes(b: Uint8Array, e: ZipEntry): Uint8Array | undefined {
  if (e.encrypted || u32(b, e.offset) !== LOC) return undefined;
  const start = e.offset + 30 + u16(b, e.offset + 26) + u16(b, e.offset + 28);
  const data = b.subarray(start, Math.min(b.length, start + Math.max(0, e.compressedSize)));
  if (e.method === 0) return data;
  if (e.method !== 8) return undefined;
  try {
    return inflateRawSync(data, { maxOutputLength: MAX_NESTED_BYTES });
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Content sniffing.

const MAGIC_ZIP = [0x50, 0x4b, 0x03, 0x04];
const MAGIC_OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const MAGIC_ELF = [0x7f, 0x45, 0x4c, 0x46];
const MAGIC_RAR = [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07];
const MAGIC_7Z = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];
const MAGIC_CAB = [0x4d, 0x53, 0x43, 0x46];
const MAGIC_LNK = [0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00];
const MAGIC_PDF = [0x25, 0x50, 0x44, 0x46];
const MACHO = new Set([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe]);

function startsWith(b: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (b.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (b[at + i] !== magic[i]) return false;
  return true;
}

/** What the bytes are, by their magic (independent of the name). */
export type Sniffed =
  | 'pe'
  | 'elf'
  | 'macho'
  | 'zip'
  | 'ole'
  | 'rar'
  | '7z'
  | 'cab'
  | 'lnk'
  | 'iso'
  | 'vhd'
  | 'pdf'
  | 'html'
  | 'other';

/** The kind of a file by its first bytes (and ISO 9660's volume descriptor at 32 769). */
export function sniff(b: Uint8Array): Sniffed {
  if (b.length >= 64 && b[0] === 0x4d && b[1] === 0x5a) {
    // MZ with the PE header where e_lfanew says ("PE\0\0"): a text that starts with MZ is no program.
    const pe = u32(b, 0x3c);
    if (pe >= 64 && u32(b, pe) === 0x00004550) return 'pe';
  }
  if (startsWith(b, MAGIC_ELF)) return 'elf';
  if (b.length >= 4) {
    const be =
      (((b[0] as number) << 24) >>> 0) +
      ((b[1] as number) << 16) +
      ((b[2] as number) << 8) +
      (b[3] as number);
    if (MACHO.has(be)) return 'macho';
  }
  if (startsWith(b, MAGIC_ZIP)) return 'zip';
  if (startsWith(b, MAGIC_OLE)) return 'ole';
  if (startsWith(b, MAGIC_RAR)) return 'rar';
  if (startsWith(b, MAGIC_7Z)) return '7z';
  if (startsWith(b, MAGIC_CAB)) return 'cab';
  if (startsWith(b, MAGIC_LNK)) return 'lnk';
  if (startsWith(b, MAGIC_PDF)) return 'pdf';
  if (b.length > 32774 && startsWith(b, [0x43, 0x44, 0x30, 0x30, 0x31], 32769)) return 'iso';
  if (
    startsWith(b, [0x63, 0x6f, 0x6e, 0x65, 0x63, 0x74, 0x69, 0x78]) ||
    startsWith(b, [0x76, 0x68, 0x64, 0x78, 0x66, 0x69, 0x6c, 0x65])
  )
    return 'vhd';
  const head = Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, 1024))
    .toString('latin1')
    .toLowerCase();
  if (
    /^\s*(?:\ufeff|ï»¿)?\s*(?:<!doctype html|<html|<head|<body|<script|<svg|<\?xml[^>]*>\s*<svg|<iframe|<form)/u.test(
      head,
    )
  )
    return 'html';
  return 'other';
}

/** UTF-16LE bytes of an ASCII string. */
function utf16(s: string): Buffer {
  return Buffer.from(s, 'utf16le');
}
const VBA_NAMES = [utf16('_VBA_PROJECT'), utf16('VBA'), utf16('Macros')];
/** The most bytes of an OLE file searched for its directory entries. */
const MAX_OLE_SCAN = 20 * 1024 * 1024;

/**
 * Whether an OLE compound file (Word 97–2003, Excel, PowerPoint) holds a VBA project: a directory
 * entry named `_VBA_PROJECT`, `VBA` or `Macros`. Directory entries are 128 bytes, in sectors after the
 * 512-byte header, so an entry's name starts at an offset ≡ 0 (mod 128) — text of the document that
 * merely says "VBA" is not at such an offset with the entry's name length after it.
 */
export function oleHasVba(b: Uint8Array): boolean {
  if (!startsWith(b, MAGIC_OLE)) return false;
  const buf = Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, MAX_OLE_SCAN));
  for (const name of VBA_NAMES) {
    for (let at = buf.indexOf(name, 512); at >= 0; at = buf.indexOf(name, at + 2)) {
      // Name length (UTF-16 bytes with the terminating NUL) at +64 of the entry.
      if (at % 128 === 0 && u16(buf, at + 64) === name.length + 2 && buf[at + name.length] === 0) return true;
    }
  }
  return false;
}

const ACTIVE_HTML =
  /<form\b|type\s*=\s*["']?password|atob\s*\(|fromcharcode|msSaveOrOpenBlob|createObjectURL|\.download\s*=|document\.write\s*\(\s*(?:unescape|atob)|window\.location|location\.(?:href|replace)|<meta[^>]+refresh/iu;

/** Why an HTML attachment is active (a form, a password field, a smuggling or redirect script), or undefined. */
function activeHtml(b: Uint8Array): string | undefined {
  const text = Buffer.from(b.buffer, b.byteOffset, Math.min(b.byteLength, 512 * 1024)).toString('utf8');
  const m = ACTIVE_HTML.exec(text);
  if (!m) return undefined;
  // Where its form posts: what the analyst blocks.
  const form = extractHtmlLinks(text).find((l) => l.tag === 'form' && /^https?:/iu.test(l.href));
  return `holds ${m[0].slice(0, 40)}${form ? `, its form posts to ${form.href.slice(0, 120)}` : ''}`;
}

// ---------------------------------------------------------------------------------------------

/** A password given in the mail's text (`パスワード: ab12`, `password is 1234`, `PW：`). */
const PASSWORD_IN_TEXT =
  /(?:パスワード|パスコード|暗証番号|解凍(?:キー|パス)|password|passcode|pass\s*word|\bpw|\bpwd)\s*(?:は|:|：|=|is)?\s*[「『"'(（]?[\x21-\x7e]{3,32}/iu;

/** The findings of one archive's entries (names, encryption, a nested ZIP one level down). */
function archiveFindings(
  file: string,
  entries: readonly ZipEntry[],
  bytes: Uint8Array,
  passwordInText: boolean,
  depth: number,
): Finding[] {
  const out: Finding[] = [];
  let encrypted = false;
  let vba = false;
  let nested = 0;
  for (const e of entries) {
    if (e.encrypted) encrypted = true;
    if (/(?:^|\/)vbaProject\.bin$/iu.test(e.name)) vba = true;
    const risk = nameRisk(e.name);
    if (risk !== undefined)
      out.push({ file, severity: risk.severity, why: `holds ${e.name.slice(0, 80)}: ${risk.why}` });
    else if (
      depth === 0 &&
      extensionOf(e.name) === 'zip' &&
      e.size <= MAX_NESTED_BYTES &&
      nested < MAX_NESTED
    ) {
      nested++;
      const inner = entryBytes(bytes, e);
      if (inner !== undefined)
        for (const f of archiveFindings(file, zipEntries(inner), inner, passwordInText, 1))
          out.push({ ...f, why: `in ${e.name.slice(0, 60)}: ${f.why}` });
    }
    if (out.length >= 10) break;
  }
  if (vba)
    out.push({ file, severity: 'macro', why: 'an Office document with a VBA project (vbaProject.bin)' });
  if (encrypted)
    out.push(
      passwordInText
        ? { file, severity: 'password_in_text', why: 'an encrypted archive whose password is in the mail' }
        : { file, severity: 'encrypted', why: 'an encrypted archive (its content cannot be checked)' },
    );
  return out;
}

/** The findings of one attachment, worst first. */
export function attachmentFindings(a: MailAttachment, passwordInText: boolean): Finding[] {
  const file = (a.filename ?? '(no name)').slice(0, 200);
  const out: Finding[] = [];
  const ext = extensionOf(file);
  const byName = a.filename ? nameRisk(a.filename) : undefined;
  if (byName !== undefined) out.push({ file, ...byName });
  const kind = sniff(a.content);
  const looksLikeDocument = DOCUMENT_EXT.has(ext) || ext === '';
  switch (kind) {
    case 'pe':
    case 'elf':
    case 'macho':
      out.push({
        file,
        severity: 'executable',
        why: `${kind === 'pe' ? 'a Windows program (MZ)' : kind === 'elf' ? 'an ELF program' : 'a Mach-O program'}${EXECUTABLE_EXT.has(ext) ? '' : ` named .${ext || '(none)'}`}`,
      });
      break;
    case 'lnk':
      out.push({ file, severity: 'script', why: 'a Windows shortcut (LNK)' });
      break;
    case 'iso':
    case 'vhd':
      out.push({ file, severity: 'image', why: `a disk image (${kind.toUpperCase()})` });
      break;
    case 'zip':
      out.push(...archiveFindings(file, zipEntries(a.content), a.content, passwordInText, 0));
      break;
    case 'ole':
      if (oleHasVba(a.content))
        out.push({ file, severity: 'macro', why: 'an OLE document with a VBA project' });
      break;
    case 'rar':
    case '7z':
    case 'cab':
      out.push({
        file,
        severity: 'opaque_archive',
        why: `a ${kind.toUpperCase()} archive (its entries are not listed)`,
      });
      break;
    case 'html': {
      const active = activeHtml(a.content);
      out.push(
        active
          ? { file, severity: 'active_html', why: `an HTML page that ${active}` }
          : { file, severity: 'html', why: 'an HTML page' },
      );
      if (looksLikeDocument && ext !== '')
        out.push({ file, severity: 'active_html', why: `an HTML page named .${ext}` });
      break;
    }
    case 'pdf':
    case 'other':
      if (OPAQUE_ARCHIVE_EXT.has(ext))
        out.push({ file, severity: 'opaque_archive', why: `a .${ext} archive (its entries are not listed)` });
      break;
  }
  // A .gz or .tgz carries one file: its name without the .gz.
  if (ext === 'gz') {
    const inner = nameRisk(file.replace(/\.gz\s*$/iu, ''));
    if (inner !== undefined) out.push({ file, severity: inner.severity, why: `compresses ${inner.why}` });
  }
  // A declared type that says document while the content runs.
  if (
    /^(?:application\/pdf|image\/|text\/plain)/iu.test(a.mimeType) &&
    (kind === 'pe' || kind === 'elf' || kind === 'macho')
  )
    out.push({ file, severity: 'executable', why: `declared ${a.mimeType} but is a program` });
  return out.sort((x, y) => SEVERITY[y.severity] - SEVERITY[x.severity]);
}

/** Every finding of a mail's attachments, worst first. */
export function mailAttachmentFindings(
  state: Pick<MailState, 'attachments' | 'text' | 'subject'>,
): Finding[] {
  if (state.attachments.length === 0) return [];
  const passwordInText = PASSWORD_IN_TEXT.test(`${state.subject}\n${state.text.slice(0, 20_000)}`);
  const out: Finding[] = [];
  for (const a of state.attachments.slice(0, 100)) out.push(...attachmentFindings(a, passwordInText));
  return out.sort((x, y) => SEVERITY[y.severity] - SEVERITY[x.severity]);
}

const attachmentDetector: MailDetector = {
  name: 'mail.attachments',
  signals: ['MAIL_ATTACHMENT_RISK'],
  run: (_event, ctx) => {
    const findings = mailAttachmentFindings(ctx.state);
    const worst = findings[0];
    if (worst === undefined) return [];
    const factor = SEVERITY[worst.severity];
    const evidence: string[] = [];
    for (const f of findings) {
      const line = `${f.file}: ${f.why}`;
      if (!evidence.includes(line)) evidence.push(line);
      if (evidence.length >= 5) break;
    }
    const hit: Hit = {
      signal: 'MAIL_ATTACHMENT_RISK',
      ...(factor !== 1 ? { factor } : {}),
      evidence,
      params: { file: worst.file, why: worst.why.slice(0, 200) },
    };
    return [hit];
  },
};

/** MAIL_ATTACHMENT_RISK (E1, E3): executables, scripts, HTML pages, disk images, archives and macro documents. */
export function attachmentsPart(): MailPart {
  return { signals: ATTACHMENT_SIGNALS, detectors: [attachmentDetector] };
}
