import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHECKPOINT_TYPE,
  type Checkpoint,
  checkpointSignatureProblem,
  keyId,
  parseCheckpoint,
  signCheckpoint,
} from './decision-checkpoint.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const head = { log: 'log_0123456789abcdef', seq: 1200, hash: 'ab'.repeat(32) };
const at = new Date('2026-04-01T09:00:00.000Z');

describe('decision log checkpoint', () => {
  it('signs the head, and the public key (not the private one) verifies it', () => {
    const checkpoint = signCheckpoint(privateKey, head, at);
    expect(checkpoint).toMatchObject({
      type: CHECKPOINT_TYPE,
      version: 1,
      ...head,
      time: '2026-04-01T09:00:00.000Z',
      key: keyId(publicKey),
    });
    expect(checkpoint.key).toMatch(/^ed25519:[0-9a-f]{32}$/);
    expect(keyId(privateKey)).toBe(keyId(publicKey));
    expect(checkpointSignatureProblem(checkpoint, publicKey)).toBeUndefined();
    // The file as written and read back verifies too.
    const parsed = parseCheckpoint(JSON.stringify(checkpoint, null, 2));
    expect(parsed.ok && checkpointSignatureProblem(parsed.checkpoint, publicKey)).toBeUndefined();
  });

  it('names a checkpoint changed after signing, and one signed by another key', () => {
    const checkpoint = signCheckpoint(privateKey, head, at);
    for (const changed of [
      { ...checkpoint, seq: 1100 },
      { ...checkpoint, hash: 'cd'.repeat(32) },
      { ...checkpoint, time: '2026-05-01T09:00:00.000Z' },
      { ...checkpoint, log: 'log_other' },
    ])
      expect(checkpointSignatureProblem(changed, publicKey)).toMatch(/changed after it was signed/);
    const forged = signCheckpoint(other.privateKey, { ...head, seq: 1100 }, at);
    expect(checkpointSignatureProblem(forged, publicKey)).toMatch(
      new RegExp(`signed by key ${forged.key}, not by the trusted key ${checkpoint.key}`),
    );
    // A forger who writes the trusted key's id into their own checkpoint still fails the signature.
    expect(checkpointSignatureProblem({ ...forged, key: checkpoint.key }, publicKey)).toMatch(
      /changed after/,
    );
  });

  it('refuses what is not a checkpoint, naming the field', () => {
    const good = signCheckpoint(privateKey, head, at);
    const cases: [unknown, RegExp][] = [
      [{ ...good, seq: -1 }, /seq: must be a whole number/],
      [{ ...good, seq: '1200' }, /seq: must be a whole number/],
      [{ ...good, hash: 'xyz' }, /hash: must be 64 hex digits/],
      [{ ...good, time: 'yesterday' }, /time: must be an ISO 8601 UTC time/],
      [{ ...good, type: 'other' }, /type: must be/],
      [{ ...good, version: 2 }, /version: must be 1/],
      [{ ...good, extra: 1 }, /extra: unknown field/],
      [(({ signature: _s, ...rest }) => rest)(good), /signature: must be base64url/],
      [[good], /not a JSON object/],
      [null, /not a JSON object/],
    ];
    for (const [value, problem] of cases) {
      const parsed = parseCheckpoint(JSON.stringify(value));
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.problem).toMatch(problem);
    }
    expect(parseCheckpoint('{"seq":')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^not JSON/),
    });
  });

  it('never throws on any text, and accepts only what it signed (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const parsed = parseCheckpoint(text);
        if (parsed.ok) expect(checkpointSignatureProblem(parsed.checkpoint, publicKey)).toBeDefined();
      }),
    );
    const fields = fc.record({
      log: fc.stringMatching(/^[\w.:-]{1,40}$/),
      seq: fc.nat(),
      hash: fc.stringMatching(/^[0-9a-f]{64}$/),
    });
    fc.assert(
      fc.property(fields, fields, (signed, shown) => {
        const checkpoint = signCheckpoint(privateKey, signed, at);
        const parsed = parseCheckpoint(JSON.stringify(checkpoint));
        expect(parsed.ok && checkpointSignatureProblem(parsed.checkpoint, publicKey)).toBeUndefined();
        const swapped: Checkpoint = { ...checkpoint, ...shown };
        const same = shown.log === signed.log && shown.seq === signed.seq && shown.hash === signed.hash;
        expect(checkpointSignatureProblem(swapped, publicKey) === undefined).toBe(same);
      }),
      { numRuns: 200 },
    );
  });
});
