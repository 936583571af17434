/**
 * What every request passes before a route: read-only methods, a Host this server answers to (a
 * page elsewhere cannot reach a loopback UI by DNS rebinding), the token when one is set, and
 * headers that keep user text inert (CSP without inline scripts, nosniff, no framing).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { LOOPBACK, sameToken } from '../http';

const COOKIE = 'labbook_ui_token';

// style-src needs 'unsafe-inline': plotly sets style attributes and injects its stylesheet.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    if (!c.res.headers.has('content-security-policy')) c.header('Content-Security-Policy', CSP);
  };
}

export function readOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    c.header('Allow', 'GET, HEAD');
    return fail(c, 405, 'READ_ONLY', `Method ${c.req.method} not allowed: expected GET or HEAD, received ${c.req.method}. labbook ui is read-only; change runs with the labbook CLI (tag, delete) or from a notebook.`);
  };
}

/** On a loopback address only Host names of this machine are answered. */
export function loopbackHost(host: string): MiddlewareHandler {
  const loopback = LOOPBACK.includes(host);
  return async (c, next) => {
    if (!loopback) return next();
    const header = c.req.header('host') ?? '';
    const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0];
    if (['127.0.0.1', 'localhost', '[::1]'].includes(name.toLowerCase())) return next();
    return fail(c, 421, 'WRONG_HOST', `Unexpected Host ${JSON.stringify(header)}: expected 127.0.0.1, localhost or [::1] (this server listens on loopback only). Open it at http://127.0.0.1:PORT/.`);
  };
}

/**
 * With a token, a request carries it as `Authorization: Bearer T` (scripts) or in the cookie that
 * opening `/?token=T` once sets (the browser): the token then leaves the address bar and history.
 */
export function tokenGuard(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined) return next();
    const url = new URL(c.req.url);
    const inQuery = url.searchParams.get('token');
    if (inQuery !== null && !url.pathname.startsWith('/api/') && sameToken(inQuery, token)) {
      setCookie(c, COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      url.searchParams.delete('token');
      return c.redirect(url.pathname + url.search, 303);
    }
    const header = c.req.header('authorization');
    const bearer = header !== undefined && /^bearer /i.test(header) ? header.slice(7) : undefined;
    const cookie = getCookie(c, COOKIE);
    if ((bearer !== undefined && sameToken(bearer, token)) || (cookie !== undefined && sameToken(cookie, token))) return next();
    c.header('WWW-Authenticate', 'Bearer');
    const received = bearer !== undefined || cookie !== undefined || inQuery !== null ? 'a different token' : 'none';
    return fail(c, 401, 'UNAUTHORIZED', `Unauthorized: expected this server's token (open /?token=T once in a browser, or send \`Authorization: Bearer T\`), received ${received}. The token was given to labbook ui with --token or LABBOOK_UI_TOKEN.`);
  };
}

export function fail(c: Context, status: 400 | 401 | 404 | 405 | 421 | 500, code: string, message: string, position?: number): Response {
  return c.json({ error: position === undefined ? { code, message } : { code, message, position } }, status);
}
