/**
 * A failed call to a vendor API or chat target, classified once where the reply is read.
 * Messages carry the vendor's own code and message, never a credential, token or secret URL.
 */
export type FailureKind =
  | 'throttled' // retry after a wait
  | 'unavailable' // 5xx or a network failure before the request was sent: retry with backoff
  | 'auth' // signature, credentials, token: fix the configuration
  | 'permission' // the credentials lack a permission
  | 'not_found'
  | 'invalid' // the request was rejected as malformed
  | 'quota' // a business limit that will not clear by retrying
  | 'busy' // the vendor refused for now (a concurrency limit): start again later from a new, delayed message
  | 'ambiguous'; // the target may have acted on it (a chat post that timed out): never resend

export class CallError extends Error {
  readonly kind: FailureKind;
  readonly code: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(opts: { kind: FailureKind; code: string; message: string; status?: number; retryAfterMs?: number }) {
    super(opts.message);
    this.name = 'CallError';
    this.kind = opts.kind;
    this.code = opts.code;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
  }

  get retryable(): boolean {
    return this.kind === 'throttled' || this.kind === 'unavailable';
  }
}

/** For calls that are safe to repeat (status reads, scan starts, logins): a request that may have arrived is retried too. */
export const asRepeatable = (err: unknown): unknown =>
  err instanceof CallError && err.kind === 'ambiguous' ? new CallError({ kind: 'unavailable', code: err.code, message: err.message }) : err;

const MAX_VENDOR_MESSAGE = 300;

/**
 * A vendor's own error text as logs, DLQ reasons and chat messages carry it: one line, capped, and with any of
 * `secrets` (the key id, a security token) taken out — some gateways echo the request they refused.
 */
export const vendorMessage = (text: string, secrets: (string | undefined)[] = []): string => {
  let out = text.replace(/\s+/g, ' ').trim();
  for (const secret of secrets) if (secret && secret.length >= 8) out = out.split(secret).join('***');
  return out.length > MAX_VENDOR_MESSAGE ? `${out.slice(0, MAX_VENDOR_MESSAGE - 1)}…` : out;
};

/** A short, secret-free description of any error, for logs and failure messages. */
export const describeError = (err: unknown): { code: string; reason: string; retryable: boolean } => {
  if (err instanceof CallError) return { code: err.code, reason: err.message, retryable: err.retryable };
  if (err instanceof Error) return { code: err.name, reason: err.message, retryable: false };
  return { code: 'Error', reason: String(err), retryable: false };
};
