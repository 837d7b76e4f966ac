import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseShowStat } from '../../src/canary/metrics/haproxy-stat.js';
import { openLogTail } from '../../src/canary/metrics/log-tail.js';
import { NGINX_JSON_LOG_FORMAT } from '../../src/canary/metrics/nginx-log-format.js';
import { parseLogLine } from '../../src/canary/metrics/nginx-log-line.js';
import { openMetricSource, parseMetricsSpec } from '../../src/canary/metrics/open.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-canary-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The columns HAProxy 2.6 prints, up to addr (the rest does not matter here).
const HEADER =
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie';
const COLUMNS = HEADER.slice(2).split(',');

interface Row {
  px: string;
  sv: string;
  type: number;
  addr?: string;
  stot?: number;
  econ?: number;
  eresp?: number;
  wretr?: number;
  hrsp?: [number, number, number, number, number, number];
}

const row = (r: Row): string => {
  const values: Record<string, string> = {
    pxname: r.px, svname: r.sv, type: String(r.type), addr: r.addr ?? '', stot: String(r.stot ?? 0),
    econ: String(r.econ ?? 0), eresp: String(r.eresp ?? 0), wretr: String(r.wretr ?? 0),
  };
  ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'].forEach((name, i) => (values[name] = r.hrsp ? String(r.hrsp[i]) : ''));
  return COLUMNS.map((c) => values[c] ?? '').join(',');
};

const answer = (pid: string, rows: Row[]): string => `Name: HAProxy\nPid: ${pid}\nUptime_sec: 3\n\n${HEADER}\n${rows.map(row).join('\n')}\n\n`;

describe('parseShowStat', () => {
  it('reads each server row: http answers + econ + eresp as requests, 5xx + econ + eresp as failures', () => {
    const snap = parseShowStat(
      answer('4242', [
        { px: 'fe', sv: 'FRONTEND', type: 0, hrsp: [0, 90, 0, 0, 10, 0] },
        // 4 attempts (stot) for one refused request after `retries 3`: one request, one failure.
        { px: 'web', sv: 's1', type: 2, addr: '127.0.0.1:9001', stot: 54, econ: 1, wretr: 3, hrsp: [0, 40, 1, 2, 7, 0] },
        { px: 'web', sv: 'green', type: 2, addr: '10.0.0.2:80', stot: 3, eresp: 2, hrsp: [0, 1, 0, 0, 0, 0] },
        { px: 'tcp', sv: 't1', type: 2, addr: '127.0.0.1:5432', stot: 12, econ: 2 },
        { px: 'web', sv: 'BACKEND', type: 1, stot: 99 },
      ]),
    );
    expect(snap.pid).toBe('4242');
    expect(snap.servers).toEqual([
      { backend: 'web', server: 's1', addr: '127.0.0.1:9001', requests: 51, failures: 8 },
      { backend: 'web', server: 'green', addr: '10.0.0.2:80', requests: 3, failures: 2 },
      { backend: 'tcp', server: 't1', addr: '127.0.0.1:5432', requests: 12, failures: 2 },
    ]);
  });

  it('says what is wrong with an answer that is not show stat', () => {
    expect(() => parseShowStat('Unknown command. Please enter one of the following commands only :\n')).toThrow(/no "show stat" CSV in the answer \(it begins "Unknown command/);
    expect(() => parseShowStat('# pxname,svname,type\n')).toThrow('the "show stat" CSV has no column stot, econ, eresp');
  });
});

describe('parseLogLine', () => {
  const line = (fields: Record<string, unknown>) => JSON.stringify({ time: '2026-01-01T00:00:00+00:00', request: 'GET / HTTP/1.1', ...fields });

  it('one attempt per upstream, failed when its upstream_status is 5xx', () => {
    expect(parseLogLine(line({ status: '200', upstream_addr: '127.0.0.1:9001', upstream_status: '200' }))).toEqual([{ addr: '127.0.0.1:9001', failed: false }]);
    expect(parseLogLine(line({ status: '503', upstream_addr: '127.0.0.1:9001', upstream_status: '503' }))).toEqual([{ addr: '127.0.0.1:9001', failed: true }]);
    expect(parseLogLine(line({ status: '404', upstream_addr: '127.0.0.1:9001', upstream_status: '404' }))).toEqual([{ addr: '127.0.0.1:9001', failed: false }]);
  });

  it('a retry and an internal redirect count for every upstream tried, each with its own status', () => {
    expect(parseLogLine(line({ status: '200', upstream_addr: '127.0.0.1:9001, 127.0.0.1:9002', upstream_status: '502, 200' }))).toEqual([
      { addr: '127.0.0.1:9001', failed: true },
      { addr: '127.0.0.1:9002', failed: false },
    ]);
    expect(parseLogLine(line({ status: '200', upstream_addr: '[::1]:9001 : 127.0.0.1:9002', upstream_status: '200 : 200' }))).toEqual([
      { addr: '[::1]:9001', failed: false },
      { addr: '127.0.0.1:9002', failed: false },
    ]);
  });

  it('a 502 or 504 to the client is a failure of the last upstream tried, whatever it logged', () => {
    expect(parseLogLine(line({ status: '504', upstream_addr: '127.0.0.1:9001', upstream_status: '-' }))).toEqual([{ addr: '127.0.0.1:9001', failed: true }]);
    expect(parseLogLine(line({ status: 502, upstream_addr: '127.0.0.1:9001, 127.0.0.1:9002', upstream_status: '' }))).toEqual([
      { addr: '127.0.0.1:9001', failed: false },
      { addr: '127.0.0.1:9002', failed: true },
    ]);
    // 499: the client went away; not the upstream's fault.
    expect(parseLogLine(line({ status: '499', upstream_addr: '127.0.0.1:9001', upstream_status: '-' }))).toEqual([{ addr: '127.0.0.1:9001', failed: false }]);
  });

  it('no upstream: no attempt; not the JSON format: undefined', () => {
    expect(parseLogLine(line({ status: '404', upstream_addr: '', upstream_status: '' }))).toEqual([]);
    expect(parseLogLine('127.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 5')).toBeUndefined();
    expect(parseLogLine(line({ status: '200' }))).toBeUndefined();
    expect(parseLogLine('[1,2]')).toBeUndefined();
  });
});

describe('parseMetricsSpec', () => {
  it.each([
    ['haproxy:/run/haproxy/admin.sock', { kind: 'haproxy', socket: '/run/haproxy/admin.sock' }],
    ['haproxy:/run/haproxy/admin.sock:web_live', { kind: 'haproxy', socket: '/run/haproxy/admin.sock', backend: 'web_live' }],
    ['haproxy:admin.sock', { kind: 'haproxy', socket: 'admin.sock' }],
    ['nginx-log:/var/log/nginx/web.json.log', { kind: 'nginx-log', file: '/var/log/nginx/web.json.log' }],
    ['nginx-log:/var/log/a:b.log', { kind: 'nginx-log', file: '/var/log/a:b.log' }],
  ])('%s', (text, spec) => {
    expect(parseMetricsSpec(text)).toEqual(spec);
  });

  it.each([
    ['prometheus:http://x', '--metrics "prometheus:http://x": expected haproxy:SOCKET[:BACKEND] (HAProxy stats socket) or nginx-log:FILE'],
    ['haproxy', '--metrics "haproxy": no SOCKET after haproxy:'],
    ['haproxy::web', '--metrics "haproxy::web": no SOCKET after haproxy:'],
    ['haproxy:/run/a.sock:', '--metrics "haproxy:/run/a.sock:": BACKEND "" is not a backend name'],
    ['haproxy:/run/a.sock:w b', '--metrics "haproxy:/run/a.sock:w b": BACKEND "w b" is not a backend name'],
    ['nginx-log:', '--metrics "nginx-log:": no FILE after nginx-log:'],
    ['', '--metrics "": expected haproxy:SOCKET'],
  ])('refuses %j as a usage error naming it', (text, message) => {
    const err = (() => {
      try {
        parseMetricsSpec(text);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(message);
  });
});

describe('log tail', () => {
  it('returns only complete lines appended since mark, keeps a partial line for the next read, restarts after truncation', async () => {
    const file = join(dir, 'tail.log');
    writeFileSync(file, 'old 1\nold 2\n');
    const tail = await openLogTail(file);
    await tail.mark();
    const lines: string[] = [];
    appendFileSync(file, 'new 1\nnew 2 part');
    await tail.readNew((l) => lines.push(l));
    expect(lines).toEqual(['new 1']);
    appendFileSync(file, 'ial\n');
    await tail.readNew((l) => lines.push(l));
    expect(lines).toEqual(['new 1', 'new 2 partial']);
    truncateSync(file, 0);
    appendFileSync(file, 'after truncate\n');
    await tail.readNew((l) => lines.push(l));
    expect(lines).toEqual(['new 1', 'new 2 partial', 'after truncate']);
    await tail.mark();
    appendFileSync(file, 'x\n');
    await tail.mark();
    await tail.readNew((l) => lines.push(l));
    expect(lines).toHaveLength(3);
    await tail.close();
  });
});

describe('haproxy source, against a stand-in stats socket', () => {
  const serve = async (answers: string[], at?: string): Promise<{ socket: string; server: Server }> => {
    const socket = at ?? join(dir, `stats-${answers.length}-${Date.now()}.sock`);
    const server = createServer((conn) => {
      conn.once('data', () => conn.end((answers.length > 1 ? answers.shift() : answers[0]) ?? ''));
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    return { socket, server };
  };
  const addrs = { blue: '127.0.0.1:9001', green: '127.0.0.1:9002' };
  const rows = (b: number, g: number, g5xx: number): Row[] => [
    { px: 'web', sv: 'a', type: 2, addr: addrs.blue, hrsp: [0, b, 0, 0, 0, 0] },
    // No address match: the name decides.
    { px: 'web', sv: 'green', type: 2, addr: '10.9.9.9:80', hrsp: [0, g - g5xx, 0, 0, g5xx, 0] },
  ];

  it('a new worker PID or a counter that went down counts from zero', async () => {
    const { socket, server } = await serve([
      answer('1', rows(10, 10, 1)), // open
      answer('1', rows(10, 10, 1)), // first mark
      answer('1', rows(30, 14, 2)), // read: grew
      answer('2', rows(50, 20, 3)), // read: new worker, more than before yet from zero
      answer('2', rows(50, 20, 3)), // mark
      answer('2', rows(4, 5, 0)), // read: went down (counters cleared)
    ]);
    try {
      const source = await openMetricSource({ kind: 'haproxy', socket }, addrs);
      expect(await source.read()).toEqual({ blue: { requests: 20, failures: 0 }, green: { requests: 4, failures: 1 } });
      expect(await source.read()).toEqual({ blue: { requests: 50, failures: 0 }, green: { requests: 20, failures: 3 } });
      await source.mark();
      expect(await source.read()).toEqual({ blue: { requests: 4, failures: 0 }, green: { requests: 5, failures: 0 } });
      await source.close();
    } finally {
      server.close();
    }
  });

  it('a read while HAProxy reloads (the socket refuses for a moment) waits for the new worker', async () => {
    const first = await serve([answer('1', rows(10, 10, 0))]);
    const source = await openMetricSource({ kind: 'haproxy', socket: first.socket }, addrs);
    await new Promise<void>((resolve) => first.server.close(() => resolve()));
    let second: Server | undefined;
    const later = setTimeout(() => void serve([answer('2', rows(3, 4, 1))], first.socket).then((s) => (second = s.server)), 400);
    try {
      expect(await source.read()).toEqual({ blue: { requests: 3, failures: 0 }, green: { requests: 4, failures: 1 } });
    } finally {
      clearTimeout(later);
      second?.close();
    }
  });
});

describe('the JSON log_format', () => {
  it('is the one the shipped nginx example and the README give', () => {
    for (const file of ['../../examples/blue-green/nginx/web.conf.hbs', '../../README.md']) {
      const text = readFileSync(new URL(file, import.meta.url), 'utf8');
      expect(text.split('\n').map((l) => l.trim())).toContain(NGINX_JSON_LOG_FORMAT);
    }
  });
});
