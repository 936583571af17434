/** The team store as sync names it: a hash of its host, port and database (URL checks and redaction are ../url's). */
import { LabbookError } from '../../errors';
import { sha256 } from '../../repro/hash';
import { isPostgresUrl, redactUrl } from '../url';

export { isPostgresUrl, redactUrl };

/**
 * The team's name in sync_state: a hash of host, port and database only, so that a changed
 * password or user keeps the cursor, and nothing secret is stored in the local registry.
 */
export function teamKey(url: string): string {
  let u: URL | null = null;
  try {
    u = isPostgresUrl(url) ? new URL(url.trim()) : null;
  } catch {
    u = null;
  }
  if (!u) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid team store URL ${JSON.stringify(redactUrl(String(url)))}: expected postgres://USER:PASSWORD@HOST:PORT/DATABASE. Pass it with --db or LABBOOK_DB.`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
  return sha256(`${u.hostname.toLowerCase()}:${u.port || '5432'}/${database}`).slice(0, 32);
}
