/** PostgreSQL URLs: recognising one (for --db / LABBOOK_DB) and showing one without its password. Loads no driver. */

/** `postgres://…` or `postgresql://…` selects the team store; anything else is a SQLite file path. */
export function isPostgresUrl(value: string | undefined | null): value is string {
  return typeof value === 'string' && /^postgres(ql)?:\/\//i.test(value.trim());
}

/**
 * The text with every URL's password replaced by `***` (`postgres://u:***@host/db`), and a
 * `password=` parameter too: what errors, CLI output and logs may show of a connection string.
 */
export function redactUrl(text: string): string {
  return text
    // The userinfo ends at the LAST `@` before the first `/?#` (as URL parsers read it): `u:p@ss@h`
    // hides `p@ss`. A password with a `/` (`u:pa/ss@h/db`, which parsers reject, but messages may
    // quote) hides up to the last `@` followed by a host: hiding too much beats showing a password.
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):(?:[^\s/?#]*|\S*)@(?=[^\s@/?#]*(?:[/?#\s]|$))/gi, (_m, user: string) => `${user}:***@`)
    .replace(/([?&;\s](?:password|pass|pwd)=)[^&\s]*/gi, '$1***');
}

/** Environment variables that hold credentials: never recorded, never printed. */
export function isSecretName(name: string): boolean {
  return /^PGPASS(WORD|FILE)?$|PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|API_?KEY|PRIVATE_?KEY/i.test(name);
}
