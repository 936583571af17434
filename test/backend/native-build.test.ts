import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(__dirname, '..', '..', 'kernel-lib', 'scripts', 'build-native.js');

function build(env: { [name: string]: string }) {
  return spawnSync(process.execPath, [SCRIPT], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 });
}

describe('the optional native build', () => {
  it('is a no-op when the addon is up to date (npm test runs it every time)', () => {
    const child = build({ LABBOOK_REQUIRE_NATIVE: '1' });
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toBe('');
  });

  it('when skipped, says so in one line with how to enable it, and succeeds', () => {
    const child = build({ LABBOOK_NATIVE: '0', LABBOOK_REQUIRE_NATIVE: '' });
    expect(child.status).toBe(0);
    expect(child.stdout.trim().split('\n')).toEqual([
      'labbook: native backend not built: LABBOOK_NATIVE=0; labbook will use wasm. To enable it, ' +
        'build it on an x86-64 Linux machine with AVX2 and FMA, with g++ and make installed (`npm run build`).',
    ]);
  });

  it('fails instead where the native backend is required (CI)', () => {
    const child = build({ LABBOOK_NATIVE: '0', LABBOOK_REQUIRE_NATIVE: '1' });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('(LABBOOK_REQUIRE_NATIVE=1: failing)');
  });
});
