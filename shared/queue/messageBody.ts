/**
 * A job as an SQS message body that every SQS accepts. Real SQS allows `#x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD
 * #x10000-#x10FFFF` (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html), so a
 * scanner's text with an unpaired surrogate would be refused; SQS-compatible servers refuse more (astral characters
 * such as emoji). JSON with every non-ASCII character written as a `\uXXXX` escape is plain ASCII: accepted by all,
 * and `JSON.parse` gives back the same text.
 */
export const messageBody = (job: unknown): string =>
  JSON.stringify(job).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
