// The collector's answer is read up to a cap. A SendMessageBatch reply for
// the largest batch is a few KiB; a misconfigured URL (an HTML page, a
// proxy's error stream, an endless body) must not fill the worker's memory
// or the core's.

// 64 KiB: ten times the largest SendMessageBatch reply (10 entries of ids
// and digests, or 10 error entries), yet small enough to copy into the core.
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

/**
 * The body of `response` as text, at most `maxBytes` of it (cut at a UTF-8
 * character boundary); the rest is not downloaded.
 * @param {Response} response
 * @param {number} [maxBytes]
 */
export async function readCappedBody(response, maxBytes = MAX_RESPONSE_BODY_BYTES) {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - size;
      const kept = value.byteLength > room ? value.subarray(0, room) : value;
      chunks.push(kept);
      size += kept.byteLength;
    }
  } finally {
    // The rest of a long body is never fetched.
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  // stream: true drops an incomplete character at the cut instead of a U+FFFD.
  return new TextDecoder().decode(bytes, { stream: true });
}
