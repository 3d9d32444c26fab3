export type QueueName = 'intake' | 'scan' | 'poll' | 'notify';

export interface QueueUrls {
  /** FIFO: its 5-minute deduplication drops a webhook delivered twice (a registry's retry, a repeated push). */
  intake: string;
  /** Standard, read with a batching window: pushes arriving close together reach startScan in one batch. */
  scan: string;
  poll: string;
  notify: string;
  intakeDlq: string;
  scanDlq: string;
  pollDlq: string;
  notifyDlq: string;
}

export const queueUrlsFromEnv = (env: NodeJS.ProcessEnv): QueueUrls => {
  const get = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  return {
    intake: get('INTAKE_QUEUE_URL'),
    scan: get('SCAN_QUEUE_URL'),
    poll: get('POLL_QUEUE_URL'),
    notify: get('NOTIFY_QUEUE_URL'),
    intakeDlq: get('INTAKE_DLQ_URL'),
    scanDlq: get('SCAN_DLQ_URL'),
    pollDlq: get('POLL_DLQ_URL'),
    notifyDlq: get('NOTIFY_DLQ_URL'),
  };
};
