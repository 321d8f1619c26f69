import type { MiddlewareHandler } from 'hono';
import { quoteInput } from './quote-input.js';

/** What {@link originGuard} accepts. */
export interface OriginGuardOptions {
  /**
   * `Host` header values the server answers to (`127.0.0.1:8790`, `localhost:8790` …). Any other
   * Host is refused, which stops DNS-rebinding pages from reading the run. Unset: any Host.
   */
  readonly allowedHosts?: readonly string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses requests a page on another origin could make: every request to an unexpected `Host`, and
 * writes (POST, PUT, PATCH, DELETE) whose `Origin` is not the server's own, whose `Sec-Fetch-Site`
 * says cross-site or same-site, or whose body is not JSON (a form post cannot send JSON).
 * Clients that send neither `Origin` nor `Sec-Fetch-Site` (curl, scripts) may write.
 */
export function originGuard(options: OriginGuardOptions = {}): MiddlewareHandler {
  const allowedHosts = options.allowedHosts && new Set(options.allowedHosts.map((host) => host.toLowerCase()));
  return async (context, next) => {
    const url = new URL(context.req.url);
    const host = (context.req.header('host') ?? url.host).toLowerCase();
    if (allowedHosts && !allowedHosts.has(host)) {
      return context.json({ error: `Unexpected Host ${quoteInput(host)}; open the URL the review command printed.` }, 403);
    }
    if (SAFE_METHODS.has(context.req.method)) return next();
    const fetchSite = context.req.header('sec-fetch-site');
    if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
      return context.json({ error: `Writes are accepted only from this page (Sec-Fetch-Site: ${quoteInput(fetchSite)}).` }, 403);
    }
    const origin = context.req.header('origin');
    if (origin !== undefined && origin !== `${url.protocol}//${host}`) {
      return context.json({ error: `Writes are accepted only from this page's origin, not ${quoteInput(origin)}.` }, 403);
    }
    const contentType = context.req.header('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      return context.json({ error: `Expected a JSON body (Content-Type: application/json), got ${contentType ? quoteInput(contentType) : 'none'}.` }, 415);
    }
    return next();
  };
}
