#!/usr/bin/env node
// The example blue/green application: a dependency-free HTTP server run by
// blue@PORT.service / green@PORT.service.
//
//   GET /        200 "<color> <version>\n", header X-Color: <color>
//   GET /health  200 "ok" while healthy, 503 once shutting down or when
//                the file named by $UNHEALTHY_FILE exists (lets a deploy
//                script or a test make one color fail its health check)
//   GET /slow?ms=N  like / but answers after N ms (at most 30000): a long
//                request to watch a drain finish it
//
// Environment: PORT (required), COLOR (blue|green), VERSION (default "1"),
// HOST (default 127.0.0.1).
//
// SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish,
// then exit 0 (systemd's KillMode/TimeoutStopSec bound how long that may take).
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';

const port = Number(process.env.PORT);
const host = process.env.HOST || '127.0.0.1';
const color = process.env.COLOR || 'blue';
const version = process.env.VERSION || '1';
const unhealthyFile = process.env.UNHEALTHY_FILE || '';

if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write(`server.js: PORT must be a TCP port, got ${JSON.stringify(process.env.PORT)}\n`);
  process.exit(2);
}

let stopping = false;
const healthy = () => !stopping && !(unhealthyFile && existsSync(unhealthyFile));

const server = createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  // Tells clients (and the proxy in front) to open a new connection once we drain.
  if (stopping) res.setHeader('Connection', 'close');
  res.setHeader('X-Color', color);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  if (path === '/health') {
    const ok = healthy();
    res.writeHead(ok ? 200 : 503);
    res.end(ok ? 'ok\n' : 'unhealthy\n');
    return;
  }
  if (path === '/') {
    res.writeHead(200);
    res.end(`${color} ${version}\n`);
    return;
  }
  if (path === '/slow') {
    const ms = Math.min(30000, Math.max(0, Number(new URL(req.url || '/', 'http://x').searchParams.get('ms')) || 0));
    process.stderr.write(`${color}@${port}: slow request, answering in ${ms} ms\n`);
    setTimeout(() => {
      res.writeHead(200);
      res.end(`${color} ${version}\n`);
    }, ms);
    return;
  }
  res.writeHead(404);
  res.end('not found\n');
});

const shutdown = (signal) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`${color}@${port}: ${signal}, draining\n`);
  // close() stops accepting and waits for in-flight requests; idle keep-alive
  // sockets would otherwise hold it open until they time out.
  server.close(() => process.exit(0));
  server.closeIdleConnections();
};

process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

server.listen(port, host, () => {
  process.stderr.write(`${color}@${port}: version ${version} listening on ${host}:${port}\n`);
});
