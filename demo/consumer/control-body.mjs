// The body of a request to /consumer/control or /consumer/reset: JSON, and
// nothing a plain HTML form or another page's simple request could send.
import { readBody } from './request-body.mjs';

// A control request is a handful of fields; anything near this is not one.
const MAX_CONTROL_BODY_BYTES = 64 * 1024;

/** A body the consumer refuses: `status` is 415, 413 or 400; `field` is null for the body as a whole. */
export class ControlBodyError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ControlBodyError';
    this.status = status;
    this.field = null;
  }
}

const mediaTypeOf = (req) => (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();

/**
 * Whether the request's Content-Type may carry a control body: JSON only. A
 * page of another origin can send text/plain or form bodies without a
 * preflight; it can't send application/json without one.
 */
function isAcceptedMediaType(req) {
  return mediaTypeOf(req) === 'application/json';
}

/**
 * The JSON value of a control request's body; throws ControlBodyError for a
 * body of another type, too large, or not JSON.
 */
export async function readControlBody(req) {
  if (!isAcceptedMediaType(req)) {
    throw new ControlBodyError(
      415,
      `Content-Type must be application/json, not '${req.headers['content-type'] ?? 'none'}'`,
    );
  }
  const { text, size } = await readBody(req, MAX_CONTROL_BODY_BYTES);
  if (size > MAX_CONTROL_BODY_BYTES)
    throw new ControlBodyError(413, `the body is larger than ${MAX_CONTROL_BODY_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ControlBodyError(400, 'the body is not JSON');
  }
}

/**
 * Checks a request that needs no body (/consumer/reset): none, or JSON (the
 * bench posts `{}`); any other type is refused with ControlBodyError 415.
 */
export async function discardControlBody(req) {
  const declared = req.headers['content-type'] !== undefined;
  if (declared && !isAcceptedMediaType(req)) {
    throw new ControlBodyError(
      415,
      `Content-Type must be application/json or absent, not '${req.headers['content-type']}'`,
    );
  }
  const { size } = await readBody(req, 0);
  if (!declared && size > 0) throw new ControlBodyError(415, 'a body needs Content-Type application/json');
}
