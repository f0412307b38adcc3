/**
 * End to end through a real Postfix (measures E1–E4, issue 11 items 3 and 5, the first "Must
 * show"): swaks → Postfix smtpd → our milter → Mamoru (in process, PGlite) → delivered to a
 * Maildir / quarantined by Mamoru and released / rejected 550 5.7.1 / tempfailed 451 and kept
 * queued by Postfix. SPF, DKIM and DMARC records are served by the loopback DNS server
 * (`test/helpers/dns-server.ts`) that Mamoru's resolver asks (MAMORU_DNS_SERVERS); the clean
 * mail is signed with a test key (mailauth's `dkimSign`).
 *
 * Postfix runs as a private instance under a temporary directory (its own config, queue and
 * data directories, loopback ports only, no chroot), started with `postfix -c <dir> start`,
 * which needs root (as here and in CI, where `.ci/run` installs postfix and swaks). Its
 * master.cf has three smtpd listeners:
 *
 * - `filter`: with `smtpd_milters` = our milter, `milter_default_action = tempfail` — the MX;
 * - `reinject`: no milters — where Mamoru re-injects released mail (MAMORU_MAIL_RELEASE_SMTP);
 * - `upstream`: no milters, relays everything to `filter` (`content_filter`) — a sending MTA
 *   on the same host, to show that a 451 leaves the mail in the sender's queue.
 *
 * Skips (describe.skipIf) when /usr/sbin/postfix or swaks is missing or we are not root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimSign } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dkimKey, sign, txtRecord } from '../../src/channels/mail/auth/test-kit.ts';
import type { MilterServer } from '../../src/channels/mail/index.ts';
import { startMilter } from '../../src/cli/serve-command.ts';
import { type RunningDnsServer, startDnsServer, type Zone } from '../helpers/dns-server.ts';
import { freePort } from '../helpers/free-port.ts';
import { bearer, startTestServer, type TestServer } from '../helpers/server.ts';

const POSTFIX = '/usr/sbin/postfix';
const POSTQUEUE = '/usr/sbin/postqueue';
const hasSwaks = spawnSync('swaks', ['--version'], { stdio: 'ignore' }).status === 0;
const available = existsSync(POSTFIX) && hasSwaks && process.getuid?.() === 0;

/** The authserv-id Mamoru writes (and Postfix's own name). */
const MX = 'mx.mamoru.test';
/** The user the virtual delivery agent writes the Maildir as (nobody/nogroup on Debian). */
const MAILDIR_ID = 65534;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs swaks against `port` with `message` as its DATA; resolves with its whole transcript. */
function swaks(port: number, from: string, to: string, message: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'swaks',
      [
        '--server',
        `127.0.0.1:${port}`,
        '--helo',
        'client.sender.test',
        '--from',
        from,
        '--to',
        to,
        '--data',
        '-',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', () => resolve(out));
    child.stdin.end(message);
  });
}

/** Waits until `check` gives a value (polling), or throws with `what` and the Postfix log. */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  log: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}\n--- postfix log ---\n${await log()}`);
}

function message(opts: { from: string; subject: string; id: string; body: string }): string {
  return [
    `From: ${opts.from}`,
    'To: Bob <bob@rcpt.test>',
    `Subject: ${opts.subject}`,
    'Date: Sun, 06 Dec 2026 10:00:00 +0900',
    `Message-ID: <${opts.id}@e2e.mamoru.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    opts.body,
    '',
  ].join('\r\n');
}

describe.skipIf(!available)('Postfix → milter → Mamoru (end to end)', () => {
  let dir: string;
  let dns: RunningDnsServer;
  let server: TestServer;
  let milter: MilterServer;
  const ports = { filter: 0, reinject: 0, upstream: 0 };
  /** The clean mail, DKIM-signed in beforeAll. */
  let clean = '';
  /** A clean mail whose Subject is raw 8-bit Shift_JIS, DKIM-signed (simple/simple) over its exact bytes. */
  let rawSjis: Buffer = Buffer.alloc(0);
  const savedEnv: Record<string, string | undefined> = {};
  const config = () => join(dir, 'etc');
  const postfixLog = async () => (await readFile(join(dir, 'maillog'), 'utf8').catch(() => '')).slice(-4000);

  /** The delivered messages in the Maildir whose text contains `needle`. */
  const delivered = async (needle: string): Promise<string[]> => {
    const box = join(dir, 'mail', 'box', 'new');
    const files = await readdir(box).catch(() => [] as string[]);
    const texts = await Promise.all(files.map((f) => readFile(join(box, f), 'utf8')));
    return texts.filter((t) => t.includes(needle));
  };

  beforeAll(async () => {
    const key = dkimKey('rsa');
    const spoofedSpf = { type: 'TXT' as const, data: 'v=spf1 ip4:192.0.2.1 -all' };
    const zone: Zone = {
      'sender.test': [{ type: 'TXT', data: 'v=spf1 ip4:127.0.0.1 -all' }],
      'e2e._domainkey.sender.test': [txtRecord(key.record)],
      '_dmarc.sender.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject' }],
      'bank.test': [spoofedSpf],
      '_dmarc.bank.test': [{ type: 'TXT', data: 'v=DMARC1; p=reject' }],
      'shop.test': [spoofedSpf],
      // A bulk sender whose SPF passes but does not align with the From domain (shop.test).
      'mailer.test': [{ type: 'TXT', data: 'v=spf1 ip4:127.0.0.1 -all' }],
      '_dmarc.shop.test': [{ type: 'TXT', data: 'v=DMARC1; p=quarantine' }],
    };
    dns = await startDnsServer(zone);
    Object.assign(ports, {
      filter: await freePort(),
      reinject: await freePort(),
      upstream: await freePort(),
    });

    // The registered mail plug-in reads its options when Mamoru opens.
    const env = {
      MAMORU_DNS_SERVERS: dns.server,
      MAMORU_MAIL_DNS: undefined,
      MAMORU_MAIL_AUTHSERV_ID: MX,
      MAMORU_MAIL_RELEASE_SMTP: `smtp://127.0.0.1:${ports.reinject}`,
    };
    for (const [name, value] of Object.entries(env)) {
      savedEnv[name] = process.env[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    server = await startTestServer({ demo: false });
    milter = await startMilter(server.mamoru, 'inet:127.0.0.1:0');

    dir = await mkdtemp(join(tmpdir(), 'mamoru-postfix-'));
    await chmod(dir, 0o755);
    for (const sub of ['etc', 'spool', 'data', 'mail']) await mkdir(join(dir, sub));
    await chown(join(dir, 'mail'), MAILDIR_ID, MAILDIR_ID);
    const postfixUser = spawnSync('id', ['-u', 'postfix'], { encoding: 'utf8' }).stdout.trim();
    await chown(join(dir, 'data'), Number(postfixUser), 0);
    await writeFile(
      join(dir, 'etc', 'main.cf'),
      `compatibility_level = 3.6
queue_directory = ${dir}/spool
data_directory = ${dir}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = ${MX}
mydomain = mamoru.test
myorigin = mamoru.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
virtual_mailbox_domains = rcpt.test
virtual_mailbox_base = ${dir}/mail
virtual_mailbox_maps = static:box/
virtual_uid_maps = static:${MAILDIR_ID}
virtual_gid_maps = static:${MAILDIR_ID}
virtual_minimum_uid = 100
alias_maps =
alias_database =
smtputf8_enable = no
biff = no
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
smtpd_milters = inet:127.0.0.1:${milter.address().port}
milter_default_action = tempfail
milter_protocol = 6
`,
    );
    await writeFile(
      join(dir, 'etc', 'master.cf'),
      `${ports.filter} inet n - n - - smtpd
${ports.reinject} inet n - n - - smtpd -o smtpd_milters= -o syslog_name=postfix/reinject
${ports.upstream} inet n - n - - smtpd -o smtpd_milters= -o syslog_name=postfix/upstream -o content_filter=relay:[127.0.0.1]:${ports.filter}
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`,
    );
    const started = spawnSync(POSTFIX, ['-c', config(), 'start'], { encoding: 'utf8' });
    if (started.status !== 0)
      throw new Error(`postfix start: ${started.status} ${started.stderr}\n${await postfixLog()}`);
    // Postfix's master binds the listeners a moment after it forks.
    await until(
      'the Postfix listener',
      () =>
        new Promise<true | undefined>((resolve) => {
          const socket = net.connect(ports.filter, '127.0.0.1', () => {
            socket.destroy();
            resolve(true);
          });
          socket.on('error', () => resolve(undefined));
        }),
      postfixLog,
    );
    clean = await sign(
      message({
        from: 'Alice <alice@sender.test>',
        subject: '明日の会議について',
        id: 'clean-1',
        body: 'ボブさん、明日の会議は10時からです。資料は会議室に置いておきます。アリス',
      }),
      'sender.test',
      'e2e',
      key,
    );
    const sjis = Buffer.concat([
      Buffer.from(
        message({
          from: 'Alice <alice@sender.test>',
          subject: 'SUBJECT',
          id: 'sjis-1',
          body: 'Shift_JIS subject.',
        }),
      ),
    ]);
    const at = sjis.indexOf('SUBJECT');
    // 「会議」 in Shift_JIS, unencoded in the header (what some Japanese mailers still send).
    const unsigned = Buffer.concat([
      sjis.subarray(0, at),
      Buffer.from([0x89, 0xef, 0x8b, 0x63]),
      sjis.subarray(at + 7),
    ]);
    const signed = await dkimSign(unsigned, {
      canonicalization: 'simple/simple',
      signatureData: [{ signingDomain: 'sender.test', selector: 'e2e', privateKey: key.privateKey }],
    } as never);
    rawSjis = Buffer.concat([Buffer.from(signed.signatures), unsigned]);
  }, 120_000);

  afterAll(async () => {
    if (dir && existsSync(join(dir, 'etc', 'main.cf'))) {
      spawnSync(POSTFIX, ['-c', config(), 'stop'], { stdio: 'ignore' });
      // `postfix stop` signals the master; wait for it to go before removing its directories.
      for (let i = 0; i < 50 && existsSync(join(dir, 'spool', 'pid', 'master.pid')); i++) await sleep(100);
    }
    await milter?.close();
    await server?.close().catch(() => {});
    await dns?.stop();
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('(a) rejects a spoof of a DMARC p=reject domain with 550 5.7.1 and a reason the sender can act on', async () => {
    const spoof = message({
      from: 'Bank Security <security@bank.test>',
      subject: 'Your account is locked',
      id: 'spoof-1',
      body: 'Please confirm your password.',
    });
    const transcript = await swaks(ports.filter, 'security@bank.test', 'bob@rcpt.test', spoof);
    // The reason is the forcing signal's customer text (the auth part's): it names the domain that refused the mail.
    expect(transcript).toMatch(
      /<\*\* +550 5\.7\.1 Message rejected: [^\n]*bank\.test[^\n]*\(ref dec_\w+\)\n/,
    );
    expect(await delivered('spoof-1@e2e')).toEqual([]);
  });

  it('(c) delivers a clean DKIM-signed mail with Authentication-Results: dkim, spf and dmarc pass', async () => {
    // Results forged by the sender above the signature: deleted, ours added (RFC 8601 section 5).
    const forged = `Authentication-Results: ${MX}; dkim=pass header.d=forged.test\r\nX-Mamoru-Verdict: allow; forged\r\n`;
    const transcript = await swaks(ports.filter, 'alice@sender.test', 'bob@rcpt.test', forged + clean);
    expect(transcript).toMatch(/<- +250 2\.0\.0 Ok: queued/);
    const [mail] = await until(
      'the clean mail in the Maildir',
      async () => {
        const found = await delivered('clean-1@e2e');
        return found.length > 0 ? found : undefined;
      },
      postfixLog,
    );
    const unfolded = (mail ?? '').replace(/\r?\n[ \t]+/g, ' ');
    const results = /^Authentication-Results: (.*)$/m.exec(unfolded)?.[1] ?? '';
    expect(results).toMatch(new RegExp(`^${MX.replace(/\./g, '\\.')};`));
    expect(results).toMatch(/\bdkim=pass\b/);
    expect(results).toMatch(/\bspf=pass\b/);
    expect(results).toMatch(/\bdmarc=pass\b/);
    expect(unfolded).toMatch(/^X-Mamoru-Verdict: (allow|warn); score=-?[0-9.]+; decision=dec_\w+$/m);
    expect(unfolded.match(/^Authentication-Results:/gm)).toHaveLength(1);
    expect(unfolded.match(/^X-Mamoru-Verdict:/gm)).toHaveLength(1);
    expect(unfolded).not.toMatch(/forged/);

    // The milter hands the raw 8-bit Subject over byte for byte: the simple/simple signature verifies.
    expect(await swaks(ports.filter, 'alice@sender.test', 'bob@rcpt.test', rawSjis)).toMatch(
      /<- +250 2\.0\.0 Ok: queued/,
    );
    const [sjis] = await until(
      'the Shift_JIS mail in the Maildir',
      async () => {
        const found = await delivered('sjis-1@e2e');
        return found.length > 0 ? found : undefined;
      },
      postfixLog,
    );
    expect(/^Authentication-Results: (.*)$/m.exec((sjis ?? '').replace(/\r?\n[ \t]+/g, ' '))?.[1]).toMatch(
      /\bdkim=pass\b/,
    );
  });

  it('(b) quarantines a lure (250, nothing delivered, a row in the quarantine) and delivers it when released', async () => {
    const lure = message({
      from: 'Amazon.co.jp <account@shop.test>',
      subject: '【重要】アカウントが停止されました',
      id: 'lure-1',
      body: 'お客様のアカウントが停止されました。24時間以内に下記より本人確認をしてください。\r\nhttps://shop.test.account-verify.example/login',
    });
    // The default policy quarantines what the content, the links and the sender's name condemn (E4, 誤遮断:
    // the recipient can undo a quarantine, not a refusal); the sender's own DMARC p=reject refuses, as in (a).
    // Sent through a bulk sender (SPF pass for mailer.test) with a From of shop.test (p=quarantine), unsigned:
    // DMARC fails, and the sender's policy asks for the quarantine.
    const transcript = await swaks(ports.filter, 'bounce@mailer.test', 'bob@rcpt.test', lure);
    expect(transcript).toMatch(/<- +250 2\.0\.0 Ok/);
    // Postfix logs through postlogd, a moment after its reply.
    await until(
      'milter-discard in the Postfix log',
      async () => ((await postfixLog()).includes('milter-discard') ? true : undefined),
      postfixLog,
    );
    const list = await server.app.inject({
      method: 'GET',
      url: '/v1/mail/quarantine',
      headers: bearer(server.token),
    });
    expect(list.statusCode, list.body).toBe(200);
    const item = (
      list.json() as { items: { id: string; subject: string; recipients: string[] }[] }
    ).items.find((i) => i.subject === '【重要】アカウントが停止されました');
    expect(item).toBeDefined();
    expect(await delivered('lure-1@e2e')).toEqual([]);

    const released = await server.app.inject({
      method: 'POST',
      url: `/v1/mail/quarantine/${item?.id}/release`,
      headers: bearer(server.token),
      payload: {},
    });
    expect(released.statusCode, released.body).toBe(200);
    const [mail] = await until(
      'the released mail in the Maildir',
      async () => {
        const found = await delivered('lure-1@e2e');
        return found.length > 0 ? found : undefined;
      },
      postfixLog,
    );
    expect(mail).toMatch(/^X-Mamoru-Released: /m);
  });

  it('(d) with the store unavailable: 451 4.7.1, and the sending Postfix keeps the mail queued (deferred)', async () => {
    await server.mamoru.store.close();
    const direct = await swaks(
      ports.filter,
      'alice@sender.test',
      'bob@rcpt.test',
      clean.replace('clean-1@e2e', 'down-1@e2e'),
    );
    expect(direct).toMatch(/<\*\* +451 4\.7\.1 Mail filter temporarily unavailable, try again later/);

    const relayed = await swaks(
      ports.upstream,
      'alice@sender.test',
      'bob@rcpt.test',
      clean.replace('clean-1@e2e', 'down-2@e2e'),
    );
    expect(relayed).toMatch(/<- +250 2\.0\.0 Ok: queued as (\w+)/);
    const queueId = /queued as (\w+)/.exec(relayed)?.[1];
    const entry = await until(
      'the relayed mail deferred in the queue',
      async () => {
        const out = spawnSync(POSTQUEUE, ['-c', config(), '-j'], { encoding: 'utf8' }).stdout;
        const entries = out
          .split('\n')
          .filter(Boolean)
          .map(
            (l) =>
              JSON.parse(l) as {
                queue_id: string;
                queue_name: string;
                recipients: { delay_reason?: string }[];
              },
          );
        return entries.find((e) => e.queue_id === queueId && e.queue_name === 'deferred');
      },
      postfixLog,
    );
    expect(entry.recipients[0]?.delay_reason).toMatch(/451 4\.7\.1 Mail filter temporarily unavailable/);
    expect(await delivered('down-')).toEqual([]);
  });
});
