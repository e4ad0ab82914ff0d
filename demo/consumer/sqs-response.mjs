// The XML bodies AWS SQS answers SendMessageBatch with.
import { createHash, randomUUID } from 'node:crypto';

const NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

export function escapeXml(text) {
  return String(text).replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c],
  );
}

/**
 * accepted: [{id, body}], rejected: [{id, code, message, senderFault}]
 * (senderFault true unless given: the event itself is at fault).
 */
export function batchResultXml(accepted, rejected) {
  const ok = accepted.map(
    ({ id, body }) =>
      `<SendMessageBatchResultEntry><Id>${escapeXml(id)}</Id><MessageId>${randomUUID()}</MessageId>` +
      `<MD5OfMessageBody>${createHash('md5').update(body).digest('hex')}</MD5OfMessageBody></SendMessageBatchResultEntry>`,
  );
  const failed = rejected.map(
    ({ id, code, message, senderFault = true }) =>
      `<BatchResultErrorEntry><Id>${escapeXml(id)}</Id><SenderFault>${senderFault}</SenderFault>` +
      `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></BatchResultErrorEntry>`,
  );
  return (
    `<?xml version="1.0"?><SendMessageBatchResponse xmlns="${NAMESPACE}"><SendMessageBatchResult>` +
    `${ok.join('')}${failed.join('')}</SendMessageBatchResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId>` +
    `</ResponseMetadata></SendMessageBatchResponse>`
  );
}

export function errorXml(type, code, message) {
  return (
    `<?xml version="1.0"?><ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${escapeXml(type)}</Type>` +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}
