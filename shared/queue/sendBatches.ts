/** SQS's most per SendMessageBatch: 10 entries, and 256 KiB (1 MiB since 2025 in some regions: the smaller is kept) in all. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;
/** What each entry costs beyond its body (attributes, ids), kept generous. */
const ENTRY_OVERHEAD = 1024;

/**
 * Entries in batches that SQS's batch actions take: at most 10, and their bodies at most 256 KiB together (a re-scan
 * job may carry 80 KiB). Entries without a body (a visibility change, a delete) count by number alone.
 */
export const batchesOf = <E extends { Id: string; MessageBody?: string }>(entries: readonly E[]): E[][] => {
  const batches: E[][] = [];
  let batch: E[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.MessageBody ?? '') + ENTRY_OVERHEAD;
    if (batch.length > 0 && (batch.length >= MAX_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
};
