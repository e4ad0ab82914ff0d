// Reads a request body, keeping no more than a limit of it in memory.

/**
 * Resolves to { text, size }: `size` counts every byte received, `text`
 * holds at most `limit` + 1 of them, so a caller sees that the limit was
 * passed without storing the excess.
 */
export function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let kept = 0;
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (kept > limit) return;
      const room = limit + 1 - kept;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(part);
      kept += part.length;
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), size }));
    req.on('error', reject);
  });
}
