import { describe, expect, it } from 'vitest';
import { CallError } from '../../../shared/http/callError.js';
import { backoffDelay, withRetry } from '../../../shared/http/retry.js';

const policy = { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 };
const throttled = (retryAfterMs?: number) =>
  new CallError({ kind: 'throttled', code: 'Throttling', message: 'slow down', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });

describe('backoffDelay', () => {
  it('stays within the exponential ceiling, capped at maxDelayMs', () => {
    expect(backoffDelay(policy, 0, undefined, () => 1)).toBe(5);
    expect(backoffDelay(policy, 2, undefined, () => 1)).toBe(20);
    expect(backoffDelay(policy, 9, undefined, () => 1)).toBe(50);
    expect(backoffDelay(policy, 9, undefined, () => 0)).toBe(0);
  });

  it('never waits less than the server asked', () => {
    expect(backoffDelay(policy, 0, 40, () => 0)).toBe(40);
  });
});

describe('withRetry', () => {
  it('retries a throttled call and waits at least what the server asked', async () => {
    let calls = 0;
    const started = Date.now();
    const value = await withRetry(policy, async () => {
      if (++calls < 3) throw throttled(30);
      return 'done';
    });
    expect(value).toBe('done');
    expect(calls).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('hands a wait longer than maxDelayMs back to the caller at once, for the queue to redeliver later', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      withRetry(policy, async () => {
        calls++;
        throw throttled(60_000);
      }),
    ).rejects.toMatchObject({ code: 'Throttling', retryAfterMs: 60_000 });
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("stops after the policy's attempts and never retries a non-retryable error", async () => {
    let calls = 0;
    await expect(
      withRetry(policy, async () => {
        calls++;
        throw throttled();
      }),
    ).rejects.toBeInstanceOf(CallError);
    expect(calls).toBe(4);
    calls = 0;
    await expect(
      withRetry(policy, async () => {
        calls++;
        throw new CallError({ kind: 'auth', code: 'SignatureDoesNotMatch', message: 'bad' });
      }),
    ).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(calls).toBe(1);
  });
});
