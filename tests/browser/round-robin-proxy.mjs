// A load balancer in front of several collectors, as a site runs them: each
// request goes to the next collector in turn, so a batch sent again may reach
// another process than the first time. It can also lose answers, as a
// network does: the collector has answered, the browser never hears it.
import { createServer, request } from 'node:http';

/**
 * Listens on a free loopback port; resolves to { url, answers, lost, close }.
 * `targets` are http://host:port origins; `answers` counts the answers
 * passed back by status. With `loseEveryNthAnswer`, the answer to every
 * n-th POST is read from the collector and then dropped with the
 * connection; `lost()` counts them.
 */
export async function startRoundRobinProxy(targets, { loseEveryNthAnswer = 0 } = {}) {
  let next = 0;
  let posts = 0;
  let lost = 0;
  const answers = {};
  const server = createServer((req, res) => {
    const target = new URL(targets[next++ % targets.length]);
    const lose = req.method === 'POST' && loseEveryNthAnswer > 0 && ++posts % loseEveryNthAnswer === 0;
    const forwarded = request(
      { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (lose) {
          lost++;
          answer.resume();
          answer.on('end', () => res.destroy());
          return;
        }
        answers[answer.statusCode] = (answers[answer.statusCode] ?? 0) + 1;
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    // A collector that can't be reached is what a balancer answers 502 for.
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forwarded);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    answers,
    lost: () => lost,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
