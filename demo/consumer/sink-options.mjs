// The command-line options that choose the consumer's sink, shared by the
// consumer alone (main.mjs) and the demo (serve.mjs):
//   --sink file                          the JSON-lines file in --data-dir (the default)
//   --sink nats://host:port[,nats://…]   a JetStream stream on those servers (one cluster)
//   --stream NAME                        the stream (default tep-events)
//   --replicas N                         copies of each event, if the consumer creates the stream
//   --duplicate-window SECONDS           the stream's duplicate window, if the consumer creates it
// The demo also takes `--sink nats`: a nats-server of its own (serve.mjs).
import { createFileSink } from './file-sink.mjs';
import { createJetStreamSink, JETSTREAM_DEFAULTS } from './jetstream-sink.mjs';

export const SINK_OPTIONS = {
  sink: { type: 'string', default: 'file' },
  stream: { type: 'string', default: JETSTREAM_DEFAULTS.stream },
  replicas: { type: 'string', default: String(JETSTREAM_DEFAULTS.replicas) },
  'duplicate-window': { type: 'string', default: String(JETSTREAM_DEFAULTS.duplicateWindowMs / 1000) },
};

/** A command line the consumer can't run with; the message says what to give instead. */
export class SinkOptionError extends Error {}

// JetStream's rules for a stream name (no subject wildcards, dots or blanks),
// kept to what is also a safe file name on every server.
const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
// JetStream accepts 1 to 5 replicas.
const MOST_REPLICAS = 5;

/** The nats:// URLs of a --sink value, or null for the file sink. */
export function natsServersOf(sink) {
  if (sink === 'file') return null;
  const urls = sink.split(',').map((url) => url.trim());
  for (const url of urls) {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (parsed?.protocol !== 'nats:' || !parsed.hostname || !parsed.port)
      throw new SinkOptionError(`--sink takes file or nats://host:port[,nats://host:port…], not '${sink}'`);
  }
  return urls;
}

/**
 * The sink the options name (parseArgs values of SINK_OPTIONS), with
 * `servers` standing in for --sink's URLs when given (the demo's own server).
 */
export function sinkFromOptions(values, { dataDir, log, servers = natsServersOf(values.sink) }) {
  if (!servers) return createFileSink(dataDir);
  if (!STREAM_NAME.test(values.stream))
    throw new SinkOptionError(`--stream takes 1 to 64 of A-Z, a-z, 0-9, _ and -, not '${values.stream}'`);
  const replicas = Number(values.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > MOST_REPLICAS)
    throw new SinkOptionError(`--replicas takes a whole number from 1 to ${MOST_REPLICAS}`);
  const windowSeconds = Number(values['duplicate-window']);
  if (!Number.isFinite(windowSeconds) || windowSeconds <= 0)
    throw new SinkOptionError('--duplicate-window takes a number of seconds above 0');
  return createJetStreamSink({
    servers,
    stream: values.stream,
    replicas,
    duplicateWindowMs: Math.round(windowSeconds * 1000),
    log,
  });
}
