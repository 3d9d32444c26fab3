// undici's index also loads fetch, WebSocket, caches and mocks (about 520 KiB bundled): scanhook needs only an Agent
// and its `request`, and importing those modules alone keeps every worker bundle about 220 KiB smaller.
// test/shared/http/client.test.ts exercises them, so an undici upgrade that moves them fails there.

import request from 'undici/lib/api/api-request.js';
import undiciErrors from 'undici/lib/core/errors.js';
import Agent from 'undici/lib/dispatcher/agent.js';
import { CallError } from './callError.js';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the vendor clients and channels need from HTTP; the undici implementation is below. */
export interface HttpClient {
  /** `target` names the destination in errors (a config key, a host), since URLs may hold secrets. */
  send(req: HttpRequest, target: string): Promise<HttpResponse>;
  close(): Promise<void>;
}

export interface HttpOptions {
  timeoutMs: number;
}

const flattenHeaders = (raw: Record<string, string | string[] | undefined>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
};

/** Errors raised before any byte of the request left: safe to retry even for non-idempotent posts. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET_CONNECT']);

/**
 * One undici Agent: it keeps a keep-alive connection pool per origin, reused across invocations of a warm Lambda.
 * Every request has a connect, headers and body timeout.
 */
export const createHttpClient = ({ timeoutMs }: HttpOptions): HttpClient => {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    connections: 16,
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return {
    async send(req, target) {
      const url = new URL(req.url);
      try {
        const res = await request.call(agent, {
          origin: url.origin,
          path: url.pathname + url.search,
          method: req.method,
          headers: req.headers,
          body: req.body,
        });
        return { status: res.statusCode, headers: flattenHeaders(res.headers), body: await res.body.text() };
      } catch (err) {
        const code = (err as { code?: string }).code ?? (err as Error).name;
        const sent = !NOT_SENT.has(code) && !(err instanceof undiciErrors.ConnectTimeoutError);
        // The message names the target, never the URL: chat URLs carry their tokens.
        throw new CallError({
          kind: sent ? 'ambiguous' : 'unavailable',
          code,
          message: `${req.method} to ${target} failed: ${code}`,
        });
      }
    },
    close: () => agent.close(),
  };
};
