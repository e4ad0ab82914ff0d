// Reads a SendMessageBatch form body into its entries.

const ENTRY = /^SendMessageBatchRequestEntry\.(\d+)\.(.+)$/;
// The field of an entry that carries its header map (the producer's Headers attribute).
export const HEADERS_FIELD = 'MessageAttribute.2.Value.StringValue';

/** The field an entry's form key names (`Id`, `MessageBody`, HEADERS_FIELD…), or null for another key. */
export function entryFieldOf(key) {
  return ENTRY.exec(key)?.[2] ?? null;
}

/**
 * Entries in order of their number: [{ id, body, name, headersText }].
 * Returns null when the body holds no entry at all.
 */
export function parseSendMessageBatch(text) {
  const params = new URLSearchParams(text);
  const byNumber = new Map();
  for (const [key, value] of params) {
    const match = ENTRY.exec(key);
    if (!match) continue;
    const number = Number(match[1]);
    if (!byNumber.has(number)) byNumber.set(number, {});
    const entry = byNumber.get(number);
    switch (match[2]) {
      case 'Id':
        entry.id = value;
        break;
      case 'MessageBody':
        entry.body = value;
        break;
      case 'MessageAttribute.1.Value.StringValue':
        entry.name = value;
        break;
      case HEADERS_FIELD:
        entry.headersText = value;
        break;
      default:
        break; // Name/DataType fields carry nothing we keep
    }
  }
  if (byNumber.size === 0) return null;
  return [...byNumber.keys()].sort((a, b) => a - b).map((n) => byNumber.get(n));
}

/** Why the consumer refuses an entry as the sender's fault, or null if it is fine. */
export function entryProblem(entry) {
  if (!entry.id) return 'missing Id';
  if (!entry.body) return 'empty MessageBody';
  try {
    JSON.parse(entry.body);
  } catch {
    return 'MessageBody is not JSON';
  }
  if (!entry.name) return 'missing Name attribute';
  if (entry.headersText !== undefined) {
    let headers;
    try {
      headers = JSON.parse(entry.headersText);
    } catch {
      return 'Headers attribute is not JSON';
    }
    if (!headers || typeof headers !== 'object' || Array.isArray(headers)) return 'Headers attribute is not an object';
  }
  return null;
}
