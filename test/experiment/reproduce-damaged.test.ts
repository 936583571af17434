// `labbook reproduce` against a damaged original: the stored checkpoint is verified, the damage reported, exit 3.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { runCli, tempDb } from '../helpers';
import { runSmall } from './cases';

describe('labbook reproduce with a damaged original', () => {
  it('reports a flipped byte or a missing object as ORIGINAL DAMAGED and exits 3; the re-run points at whole bytes', async () => {
    const db = tempDb();
    const original = await runSmall('penguins-mlp', { db, seed: 3, backend: 'wasm' });
    const sha = original.checkpoint!.sha256;
    const object = join(dirname(db), 'objects', sha);
    const bytes = readFileSync(object);
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(object, bytes);

    const result = await runCli(['reproduce', String(original.id), '--json', '--quiet', '--db', db]);
    expect(result.code, result.stderr).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ verdict: 'original-damaged', reproduced: false, damaged: { rerun: null } });
    expect(report.damaged.original).toMatch(new RegExp(`object ${sha} in .* is corrupt: its ${bytes.length} bytes hash to [0-9a-f]{64}`));
    // The re-run wrote the same bytes: the store verified the damaged file and replaced it.
    expect(report.rerun.checkpoint.sha256).toBe(sha);
    const registry = openRegistry({ db });
    expect(registry.readObject(sha).length).toBe(bytes.length);
    registry.close();

    rmSync(object);
    const text = await runCli(['reproduce', String(original.id), '--quiet', '--db', db]);
    expect(text.code, text.stderr).toBe(3);
    expect(text.stdout).toMatch(new RegExp(`ORIGINAL DAMAGED[\\s\\S]*original damaged: object ${sha} is missing from .*objects; the re-run wrote bytes with the recorded SHA-256`));
  }, 180_000);

  it('documents the exit codes in --help', async () => {
    const help = await runCli(['reproduce', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/exit codes:\n\s+0 +reproduced[^\n]*\n\s+1 +not reproduced[^\n]*\n\s+2 [^\n]*\n\s+3 +the original is damaged/);
  });
});
