import { readFileSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mailKit, mailPayload } from '../../../../test/helpers/mail-channel.ts';
import type { MailAttachment } from '../mail-state.ts';
import {
  attachmentFindings,
  extensionOf,
  MAX_ZIP_ENTRIES,
  mailAttachmentFindings,
  nameRisk,
  oleHasVba,
  sniff,
  zipEntries,
} from './attachments.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../../test/fixtures/mail/${name}`, import.meta.url), 'utf8');

/** A ZIP archive (stored or deflated entries, optional encryption flag, optional prefix and ZIP64 end). */
function zip(
  entries: { name: string; data?: Uint8Array | string; encrypted?: boolean; deflate?: boolean }[],
  options: { prefix?: Uint8Array; noCentral?: boolean; zip64?: boolean } = {},
): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = options.prefix?.length ?? 0;
  for (const e of entries) {
    const raw = Buffer.from(e.data ?? 'x');
    const data = e.deflate ? deflateRawSync(raw) : raw;
    const name = Buffer.from(e.name, 'utf8');
    const flags = (e.encrypted ? 1 : 0) | 0x800;
    const method = e.deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc32(raw), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc32(raw), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const parts = [options.prefix ?? Buffer.alloc(0), ...locals];
  if (options.noCentral) return Buffer.concat(parts);
  parts.push(cd);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  if (options.zip64) {
    const z = Buffer.alloc(56);
    z.writeUInt32LE(0x06064b50, 0);
    z.writeBigUInt64LE(44n, 4);
    z.writeBigUInt64LE(BigInt(entries.length), 24);
    z.writeBigUInt64LE(BigInt(entries.length), 32);
    z.writeBigUInt64LE(BigInt(cd.length), 40);
    z.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    parts.push(z, locator);
    end.writeUInt16LE(0xffff, 8);
    end.writeUInt16LE(0xffff, 10);
    end.writeUInt32LE(0xffffffff, 12);
    end.writeUInt32LE(0xffffffff, 16);
  } else {
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(cd.length, 12);
    end.writeUInt32LE(offset, 16);
  }
  parts.push(end);
  return Buffer.concat(parts);
}

/** A minimal PE: MZ, e_lfanew at 0x3c → "PE\0\0". */
function pe(): Buffer {
  const b = Buffer.alloc(256);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  return b;
}

/** An OLE file with one directory entry named `name` at a 128-byte-aligned offset. */
function ole(name: string, aligned = true): Buffer {
  const b = Buffer.alloc(2048);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(b, 0);
  const at = aligned ? 1024 : 1030;
  const n = Buffer.from(name, 'utf16le');
  n.copy(b, at);
  b.writeUInt16LE(n.length + 2, at + 64);
  return b;
}

const att = (
  filename: string | null,
  content: Uint8Array,
  mimeType = 'application/octet-stream',
): MailAttachment => ({
  filename,
  mimeType,
  disposition: 'attachment',
  size: content.byteLength,
  content,
});
const worst = (a: MailAttachment, password = false) => attachmentFindings(a, password)[0];

describe('zipEntries (the central directory reader)', () => {
  it('lists names, flags and sizes; UTF-8 names', () => {
    const entries = zipEntries(zip([{ name: '請求書.pdf' }, { name: 'a/b.exe', encrypted: true }]));
    expect(entries.map((e) => [e.name, e.encrypted])).toEqual([
      ['請求書.pdf', false],
      ['a/b.exe', true],
    ]);
  });

  it('reads ZIP64 end records, archives with data before them, and cut archives from local headers', () => {
    expect(zipEntries(zip([{ name: 'x.js' }], { zip64: true })).map((e) => e.name)).toEqual(['x.js']);
    expect(zipEntries(zip([{ name: 'y.vbs' }], { prefix: pe() })).map((e) => e.name)).toEqual(['y.vbs']);
    expect(zipEntries(zip([{ name: 'z.lnk' }], { noCentral: true })).map((e) => e.name)).toEqual(['z.lnk']);
  });

  it('is empty for what is no ZIP', () => {
    expect(zipEntries(new Uint8Array(0))).toEqual([]);
    expect(zipEntries(Buffer.from('hello world, this is not an archive at all'))).toEqual([]);
  });

  it('never throws and stays bounded on random bytes and on corrupted archives (property)', () => {
    const base = zip([{ name: 'a.exe' }, { name: 'b.txt', deflate: true, data: 'hello' }]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc
            .tuple(fc.nat(base.length - 1), fc.uint8Array({ minLength: 1, maxLength: 8 }))
            .map(([at, bytes]) => {
              const b = Buffer.from(base);
              Buffer.from(bytes).copy(b, at);
              return b;
            }),
          fc.nat(base.length).map((n) => base.subarray(0, n)),
        ),
        (bytes) => {
          const entries = zipEntries(bytes);
          expect(entries.length).toBeLessThanOrEqual(MAX_ZIP_ENTRIES);
          for (const e of entries) expect(e.name.length).toBeLessThanOrEqual(500);
          attachmentFindings(att('x.zip', bytes), true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('caps the entries it lists', () => {
    const many = zip(Array.from({ length: MAX_ZIP_ENTRIES + 20 }, (_, i) => ({ name: `f${i}.txt` })));
    expect(zipEntries(many)).toHaveLength(MAX_ZIP_ENTRIES);
  });
});

describe('MAIL_ATTACHMENT_RISK findings', () => {
  it('executables by extension and by magic bytes, whatever their name', () => {
    expect(worst(att('setup.exe', Buffer.from('x')))?.severity).toBe('executable');
    expect(worst(att('report.pdf', pe(), 'application/pdf'))).toMatchObject({ severity: 'executable' });
    expect(worst(att('a.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1])))?.why).toContain('ELF');
    expect(worst(att('a.dat', Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0])))?.why).toContain('Mach-O');
    // A text that happens to start with MZ is no program.
    expect(attachmentFindings(att('notes.txt', Buffer.from(`MZ${' '.repeat(100)}`)), false)).toEqual([]);
  });

  it('scripts and shortcuts, disk images, HTML pages', () => {
    expect(worst(att('scan.js', Buffer.from('x')))?.severity).toBe('script');
    expect(worst(att('doc', Buffer.from([0x4c, 0, 0, 0, 1, 0x14, 2, 0, 0])))?.why).toContain('LNK');
    expect(worst(att('photos.iso', Buffer.from('x')))?.severity).toBe('image');
    expect(worst(att('page.html', Buffer.from('<html><body>hello</body></html>')))?.severity).toBe('html');
    const form = '<!DOCTYPE html><html><form action="https://x.example/p"><input type="password"></form>';
    expect(worst(att('Invoice.htm', Buffer.from(form)))?.severity).toBe('active_html');
    const smuggle = '<html><script>var b=atob("TVqQ");</script></html>';
    expect(worst(att('Invoice.shtml', Buffer.from(smuggle)))?.why).toContain('atob');
    expect(worst(att('fax.pdf', Buffer.from('<html><body>x</body></html>')))?.why).toContain('named .pdf');
  });

  it('double extensions and bidi controls are disguises', () => {
    expect(nameRisk('invoice.pdf.exe')?.why).toContain('double extension .pdf.exe');
    expect(nameRisk('invoice.pdf      .js')?.severity).toBe('executable');
    expect(nameRisk('photo\u202egpj.scr')?.why).toContain('bidi');
    expect(nameRisk('請求書.pdf')).toBeUndefined();
    expect(extensionOf('a.PDF. ')).toBe('pdf');
  });

  it('archives: risky entries inside, a ZIP in a ZIP, encrypted with and without a password in the text', () => {
    expect(worst(att('invoice.zip', zip([{ name: 'invoice.pdf.exe' }])))?.why).toContain(
      'holds invoice.pdf.exe',
    );
    const inner = zip([{ name: 'run.vbs', deflate: true, data: 'WScript.Echo 1' }]);
    expect(worst(att('a.zip', zip([{ name: 'b.zip', data: inner, deflate: true }])))?.why).toContain(
      'in b.zip',
    );
    const locked = att('doc.zip', zip([{ name: '見積書.xlsx', encrypted: true }]));
    expect(worst(locked, false)?.severity).toBe('encrypted');
    expect(worst(locked, true)?.severity).toBe('password_in_text');
    // Names of an encrypted archive are visible: an executable inside is seen.
    expect(worst(att('d.zip', zip([{ name: 'x.exe', encrypted: true }])), false)?.severity).toBe(
      'executable',
    );
    expect(attachmentFindings(att('photos.zip', zip([{ name: 'a.jpg' }, { name: 'b.pdf' }])), false)).toEqual(
      [],
    );
    expect(worst(att('a.rar', Buffer.from([0x52, 0x61, 0x72, 0x21, 0x1a, 7, 0])))?.severity).toBe(
      'opaque_archive',
    );
    expect(worst(att('report.exe.gz', Buffer.from([0x1f, 0x8b])))?.why).toContain('compresses');
  });

  it('macro documents: by extension, OOXML with vbaProject.bin, OLE with a VBA storage', () => {
    expect(worst(att('a.xlsm', Buffer.from('x')))?.severity).toBe('macro');
    const docx = zip([{ name: '[Content_Types].xml' }, { name: 'word/vbaProject.bin' }]);
    expect(worst(att('a.docx', docx))?.why).toContain('vbaProject.bin');
    expect(oleHasVba(ole('_VBA_PROJECT'))).toBe(true);
    expect(oleHasVba(ole('Macros'))).toBe(true);
    expect(oleHasVba(ole('WordDocument'))).toBe(false);
    expect(oleHasVba(ole('_VBA_PROJECT', false))).toBe(false);
    expect(worst(att('old.doc', ole('VBA')))?.severity).toBe('macro');
    expect(attachmentFindings(att('plain.doc', ole('WordDocument')), false)).toEqual([]);
  });

  it('password in the text: Japanese and English', () => {
    const locked = att('doc.zip', zip([{ name: 'a.pdf', encrypted: true }]));
    const find = (text: string) =>
      mailAttachmentFindings({ attachments: [locked], text, subject: '' })[0]?.severity;
    expect(find('解凍パスワード：Ab3xQ9')).toBe('password_in_text');
    expect(find('The password is 4471')).toBe('password_in_text');
    expect(find('パスワードは別途お送りします。')).toBe('encrypted');
  });

  it('sniffs PDFs and ZIPs as themselves', () => {
    expect(sniff(Buffer.from('%PDF-1.7'))).toBe('pdf');
    expect(sniff(zip([{ name: 'a' }]))).toBe('zip');
  });
});

describe('MAIL_ATTACHMENT_RISK through the channel', () => {
  const kit = mailKit();
  const screen = async (name: string) =>
    (await kit.screen(mailPayload(fixture(name)))).hits.filter((h) => h.signal === 'MAIL_ATTACHMENT_RISK');

  it('a ZIP holding invoice.pdf.exe is quarantined (5 x 2.4)', async () => {
    const [hit] = await screen('phish-zip-double-extension.eml');
    expect(hit?.score).toBe(12);
    expect(hit?.params?.file).toBe('Invoice_2026-01.zip');
    expect(hit?.evidence[0]).toContain('invoice.pdf.exe');
  });

  it('an HTML attachment with a credential form warns', async () => {
    const [hit] = await screen('phish-html-attachment.eml');
    expect(hit?.score).toBe(8);
    expect(hit?.evidence[0]).toContain('<form');
    expect(hit?.evidence[0]).toContain('posts to https://collect.example/owa.php');
  });

  it('a PDF invoice and a photo give no hit', async () => {
    expect(await screen('legit-pdf-invoice.eml')).toEqual([]);
  });
});
