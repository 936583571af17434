/** The team store's content-addressed objects (checkpoints, artifacts) in the `objects` table: why there, see schema.ts. */
import { createHash } from 'node:crypto';
import { invalidArgument, LabbookError } from '../errors';
import type { TeamStore } from './connect';

const SHA = /^[0-9a-f]{64}$/;

/** Stores `bytes` under their SHA-256 and returns it; storing the same bytes again changes nothing. */
export async function putObject(store: TeamStore, bytes: Uint8Array): Promise<string> {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('bytes', 'a Uint8Array (or Buffer)', bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');
  await store.query('INSERT INTO objects (sha256, bytes, size, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING', [
    sha,
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    bytes.byteLength,
    Date.now(),
  ]);
  return sha;
}

/** The bytes stored under `sha`, checked against it: bytes that changed behind the store's back are an error, never returned. */
export async function getObject(store: TeamStore, sha: string): Promise<Buffer> {
  checkSha(sha);
  const rows = await store.query<{ bytes: Buffer }>('SELECT bytes FROM objects WHERE sha256 = $1', [sha]);
  if (rows.length === 0) {
    throw new LabbookError('NOT_FOUND', `No object ${sha} in the team store ${store.url}: expected one pushed by sync. Run \`labbook sync\` on the machine that recorded it.`);
  }
  const bytes = rows[0].bytes;
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha) {
    throw new LabbookError(
      'HASH_MISMATCH',
      `Object ${sha} in the team store ${store.url} is damaged: expected bytes hashing to ${sha}, received ${bytes.length} bytes hashing to ${actual}. Push it again from a registry that holds it intact (\`labbook sync\`).`,
    );
  }
  return bytes;
}

/** Which of `shas` the store holds (so a sync uploads only the others). */
export async function hasObjects(store: TeamStore, shas: readonly string[]): Promise<Set<string>> {
  if (!Array.isArray(shas)) throw invalidArgument('shas', 'an array of SHA-256 hex strings', shas);
  shas.forEach(checkSha);
  if (shas.length === 0) return new Set();
  const rows = await store.query<{ sha256: string }>('SELECT sha256 FROM objects WHERE sha256 = ANY($1::text[])', [[...new Set(shas)]]);
  return new Set(rows.map((r) => r.sha256));
}

function checkSha(sha: unknown): void {
  if (typeof sha !== 'string' || !SHA.test(sha)) throw invalidArgument('sha256', 'a SHA-256 as 64 lowercase hex digits', sha);
}
