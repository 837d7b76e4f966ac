'use strict';
// Two stand-ins that answer the reads of a --onetime run, for
// scripts/code-cache.cjs: etcd's KV.Txn of range reads (gRPC over h2c) and
// Consul's recursive KV read, each over the same few keys. A cache written
// after such runs holds the code of the etcd and Consul one-shot paths, which
// a quickstart run (file backend) never compiles. They answer these two calls
// and nothing else; the tests run the real servers.
const http = require('node:http');
const http2 = require('node:http2');

/** The keys both stand-ins hold, sorted. */
const KEYS = new Map(
  Array.from({ length: 20 }, (_, i) => [`/cache/servers/web-${String(i).padStart(2, '0')}`, `10.0.0.${i + 1}:8080`]),
);

// Protocol buffers' wire format, as much as a Txn of ranges needs.
const varint = (n) => {
  const out = [];
  let v = BigInt(n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
};
const lengthField = (field, bytes) => Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
const varintField = (field, n) => Buffer.concat([varint(field << 3), varint(n)]);

/** Each length-delimited field of a message: [field number, bytes]. */
const fieldsOf = (buf) => {
  const fields = [];
  let at = 0;
  const readVarint = () => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buf[at++];
      value |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return value;
    }
  };
  while (at < buf.length) {
    const tag = Number(readVarint());
    if ((tag & 7) === 0) readVarint();
    else if ((tag & 7) === 2) {
      const length = Number(readVarint());
      fields.push([tag >> 3, buf.subarray(at, at + length)]);
      at += length;
    } else throw new Error(`wire type ${tag & 7} in a request of the stand-in`);
  }
  return fields;
};

const REVISION = 7;
const header = () => lengthField(1, varintField(3, REVISION));

/** TxnRequest { success = 2: RequestOp { request_range = 1: RangeRequest { key = 1, range_end = 2 } } } → TxnResponse. */
const answerTxn = (request) => {
  const responses = fieldsOf(request)
    .filter(([field]) => field === 2)
    .map(([, op]) => {
      const range = fieldsOf(fieldsOf(op).find(([field]) => field === 1)[1]);
      const key = (range.find(([f]) => f === 1)?.[1] ?? Buffer.alloc(0)).toString('latin1');
      const end = range.find(([f]) => f === 2)?.[1]?.toString('latin1');
      const inRange = (k) => (end === undefined ? k === key : k >= key && (end === '\0' || k < end));
      const kvs = [...KEYS].filter(([k]) => inRange(k)).map(([k, v]) => lengthField(2, Buffer.concat([lengthField(1, Buffer.from(k)), varintField(2, 2), varintField(3, REVISION), varintField(4, 1), lengthField(5, Buffer.from(v))])));
      return lengthField(3, lengthField(1, Buffer.concat([header(), ...kvs, varintField(4, kvs.length)])));
    });
  return Buffer.concat([header(), varintField(2, 1), ...responses]);
};

const grpcFrame = (message) => {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
};

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));

/** Starts both stand-ins; `close()` stops them. */
const startStores = async () => {
  const sessions = new Set();
  const etcd = http2.createServer();
  etcd.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  etcd.on('stream', (stream, headers) => {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      if (headers[':path'] !== '/etcdserverpb.KV/Txn') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true });
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(grpcFrame(answerTxn(Buffer.concat(chunks).subarray(5))));
    });
  });
  const consul = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://consul');
    const prefix = decodeURIComponent(url.pathname.replace(/^\/v1\/kv\//, ''));
    const entries = [...KEYS]
      .map(([k, v]) => [k.slice(1), v])
      .filter(([k]) => url.pathname.startsWith('/v1/kv/') && (url.searchParams.has('recurse') ? k.startsWith(prefix) : k === prefix))
      .map(([Key, v]) => ({ Key, Value: Buffer.from(v).toString('base64'), Flags: 0, LockIndex: 0, CreateIndex: REVISION, ModifyIndex: REVISION }));
    res.writeHead(entries.length ? 200 : 404, { 'content-type': 'application/json', 'x-consul-index': String(REVISION), 'x-consul-knownleader': 'true' });
    res.end(entries.length ? JSON.stringify(entries) : '');
  });
  const [etcdPort, consulPort] = await Promise.all([listen(etcd), listen(consul)]);
  return {
    etcd: `http://127.0.0.1:${etcdPort}`,
    consul: `127.0.0.1:${consulPort}`,
    close: () => {
      for (const session of sessions) session.destroy();
      etcd.close();
      consul.closeAllConnections();
      consul.close();
    },
  };
};

module.exports = { startStores };
