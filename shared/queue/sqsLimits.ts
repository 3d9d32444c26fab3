/** SQS's ceiling for a message's delay. */
export const MAX_DELAY_SECONDS = 900;

/** A delay in whole seconds, within what SQS accepts. */
export const delaySecondsOf = (seconds: number): number => Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(seconds)));

/** SQS's ceiling for a received message's visibility timeout: 12 hours. */
export const MAX_VISIBILITY_SECONDS = 43_200;
