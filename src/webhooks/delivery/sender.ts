// One webhook HTTP attempt: check the target again at send time, connect to exactly the address that was checked
// (so a DNS answer that changes in between cannot redirect us to an internal host), POST the exact bytes, and
// report what happened. Network failures are answers, never exceptions.
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Environment } from '../../db/schema/index.js';
import { resolveTarget, type Lookup } from '../url-guard.js';

/** The most of a response body kept (as text) for the delivery log. */
export const SNIPPET_MAX_BYTES = 2048;

export interface WebhookRequest {
  url: string;
  /** Sent byte for byte: the signature covers exactly these. */
  body: Buffer;
  headers: Record<string, string>;
}

export interface SendPolicy {
  /** The endpoint's environment: production targets must be public unless allowPrivateTargets. */
  env: Environment;
  allowPrivateTargets: boolean;
  /** For the whole exchange: resolving, connecting, sending and reading the answer. */
  timeoutMs: number;
  /** The resolver (the system's by default; tests map names to loopback). */
  lookup?: Lookup | undefined;
}

export interface SendResult {
  /** The response status, when one arrived. Only a 2xx without an error is a success. */
  statusCode?: number;
  latencyMs: number;
  /** The first SNIPPET_MAX_BYTES of the response body, as text. */
  snippet?: string;
  /** Why the attempt failed before or while getting an answer (refused target, connection error, timeout). */
  error?: string;
}

export function isSuccess(result: SendResult): boolean {
  return result.error === undefined && result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300;
}

/** PostgreSQL text cannot hold NUL; a receiver's answer may. */
function storableText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

interface PartialAnswer {
  statusCode?: number;
  snippet?: string;
}

function timeoutError(timeoutMs: number): Error {
  return new Error(`Timed out after ${timeoutMs} ms`);
}

/** Rejects as soon as the signal aborts, whatever the promise is doing (dns.lookup cannot be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, reason: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function exchange(request: WebhookRequest, target: { address: string; family: number }, signal: AbortSignal, partial: PartialAnswer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const url = new URL(request.url);
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const transport = url.protocol === 'https:' ? https : http;
    // Whatever name the URL carries, the socket goes to the checked address; Host and SNI stay the URL's name.
    const lookup: LookupFunction = (_name, options, callback) => {
      if (options.all) callback(null, [{ address: target.address, family: target.family }]);
      else callback(null, target.address, target.family);
    };
    let settled = false;
    const done = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve();
    };
    const req = transport.request(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(request.body.length) },
      lookup,
      // A fresh connection per attempt: nothing pooled outlives the attempt or skips the address check.
      agent: false,
      signal,
      ...(transport === https && isIP(hostname) === 0 ? { servername: hostname } : {}),
    }, (res) => {
      // Redirects are not followed: a 3xx is an answer like any other non-2xx, and so a failure.
      partial.statusCode = res.statusCode;
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => {
        const text = storableText(new TextDecoder('utf-8').decode(Buffer.concat(chunks)));
        if (text !== '') partial.snippet = text;
        res.destroy();
        done();
      };
      res.on('data', (chunk: Buffer) => {
        const room = SNIPPET_MAX_BYTES - size;
        if (room > 0) {
          chunks.push(chunk.subarray(0, room));
          size += Math.min(room, chunk.length);
        }
        if (size >= SNIPPET_MAX_BYTES) finish();
      });
      res.on('end', finish);
      res.on('error', (error) => done(error));
    });
    req.on('error', (error) => done(error));
    req.end(request.body);
  });
}

function describeError(error: unknown): string {
  if (error instanceof Error) return storableText(error.message || error.name);
  return storableText(String(error));
}

/** POSTs the body to the URL once. Never throws: every failure is in the answer's `error`. */
export async function sendWebhook(request: WebhookRequest, policy: SendPolicy): Promise<SendResult> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timeoutError(policy.timeoutMs)), policy.timeoutMs);
  const partial: PartialAnswer = {};
  try {
    const target = await untilAborted(
      resolveTarget(request.url, { env: policy.env, allowPrivateTargets: policy.allowPrivateTargets }, policy.lookup),
      controller.signal,
      () => timeoutError(policy.timeoutMs),
    );
    if (!target.ok) return { latencyMs: latencyMs(), error: target.problem };
    await exchange(request, target, controller.signal, partial);
    return { ...partial, latencyMs: latencyMs() };
  } catch (error) {
    const reason = controller.signal.aborted ? `Timed out after ${policy.timeoutMs} ms` : describeError(error);
    return { ...partial, latencyMs: latencyMs(), error: reason };
  } finally {
    clearTimeout(timer);
  }
}
