import { describe, expect, it } from 'vitest';
import { batchesOf } from '../../../shared/queue/sendBatches.js';

const entry = (i: number, bytes: number) => ({ Id: String(i), MessageBody: 'x'.repeat(bytes) });

describe('SendMessageBatch entries within what SQS takes', () => {
  it('small messages go 10 to a batch', () => {
    expect(batchesOf(Array.from({ length: 25 }, (_, i) => entry(i, 100))).map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('large messages (a re-scan carrying 10 000 known findings) go a few to a batch, never over 256 KiB in all', () => {
    const batches = batchesOf(Array.from({ length: 10 }, (_, i) => entry(i, 81_000)));
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1]);
    for (const b of batches) expect(b.reduce((n, e) => n + (e.MessageBody?.length ?? 0), 0)).toBeLessThanOrEqual(256 * 1024);
    expect(batches.flat().map((e) => e.Id)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
  });

  it('a message of nearly 256 KiB goes alone', () => {
    expect(batchesOf([entry(0, 10), entry(1, 261_500), entry(2, 10)]).map((b) => b.length)).toEqual([1, 1, 1]);
  });

  it('entries without a body (visibility changes) go 10 to a batch, each kept once and in order', () => {
    const handles = Array.from({ length: 23 }, (_, i) => ({ Id: String(i), ReceiptHandle: `handle-${i}`, VisibilityTimeout: 3 }));
    const batches = batchesOf(handles);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flat()).toEqual(handles);
  });
});
