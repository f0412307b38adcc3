import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mamoru } from '../../src/mamoru.ts';
import { loadConfig } from '../../src/server/config.ts';
import { runCli } from './run-cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamoru-audit-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('mamoru audit verify', () => {
  it('passes on an untouched log, then reports an edited and a deleted row', async () => {
    const mamoru = await Mamoru.open(loadConfig({ dataDir: dir }, {}));
    const boot = await mamoru.bootstrap({ demo: true });
    const actor = { id: 'test', role: 'admin' as const, orgId: boot!.orgId };
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const v = await mamoru.screen(actor, 'message', {
        kind: 'sms',
        sender: '+819012345678',
        text: `テスト ${i}`,
      });
      ids.push(v.id);
    }
    await mamoru.close();

    const clean = await runCli(['audit', 'verify', '--data-dir', dir]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, checked: 6, findings: [] });

    // Tamper directly in the database, as an insider with SQL access would.
    const db = new PGlite(join(dir, 'pglite'));
    await db.query(`update decisions set action = 'block', score = 42 where id = $1`, [ids[1]]);
    await db.query(`delete from decisions where id = $1`, [ids[3]]);
    await db.close();

    const tampered = await runCli(['audit', 'verify', '--data-dir', dir]);
    expect(tampered.code).toBe(3);
    const report = JSON.parse(tampered.stdout) as {
      ok: boolean;
      findings: { kind: string; id?: string; seq: number }[];
    };
    expect(report.ok).toBe(false);
    const kinds = report.findings.map((f) => f.kind);
    expect(kinds).toContain('edited');
    expect(kinds).toContain('deleted');
    expect(report.findings.find((f) => f.kind === 'edited')?.id).toBe(ids[1]);
    expect(tampered.stderr).toContain('tampering');
  });
});
