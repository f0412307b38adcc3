import { describe, expect, it } from 'vitest';
import { hashSecret, verifySecret } from './secret-hash.ts';

describe('secret hash', () => {
  it('stores scrypt$N$r$p$salt$hash with a fresh salt each time', async () => {
    const a = await hashSecret('s3cret');
    const b = await hashSecret('s3cret');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('verifies the secret and nothing else', async () => {
    const stored = await hashSecret('s3cret');
    expect(await verifySecret('s3cret', stored)).toBe(true);
    expect(await verifySecret('s3cres', stored)).toBe(false);
    expect(await verifySecret('', stored)).toBe(false);
  });

  it('refuses hashes it cannot read', async () => {
    for (const bad of [
      '',
      'scrypt',
      'bcrypt$16384$8$1$a$b',
      'scrypt$x$8$1$a$b',
      'scrypt$99999999$8$1$a$b',
      'scrypt$16384$8$1$a$',
      'scrypt$1000$8$1$AAAA$AAAA',
    ])
      expect(await verifySecret('s', bad)).toBe(false);
  });
});
