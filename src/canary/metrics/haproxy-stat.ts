// Reads HAProxy's `show info;show stat` answer: the worker's PID and each
// server's counters. A server's requests and failures:
//  - http mode (hrsp_* columns filled): requests = every answer it gave
//    (hrsp_1xx … hrsp_other) + econ + eresp, failures = hrsp_5xx + econ +
//    eresp. One client request counts once, even when HAProxy retried its
//    connection (stot counts every attempt: 4 for one request with
//    `retries 3`).
//  - tcp mode: requests = stot, failures = econ + eresp.
// wretr and wredis are not failures: a retried or redispatched attempt either
// succeeds (the client saw no error) or ends in econ/eresp, already counted;
// counting them too would count one request twice.

export interface ServerCounters {
  backend: string;
  server: string;
  /** host:port as HAProxy shows it (the `addr` column, HAProxy 2.6 and later). */
  addr: string;
  requests: number;
  failures: number;
}

export interface StatSnapshot {
  /** The worker that answered: a reload starts a new worker, with counters from zero. */
  pid: string | undefined;
  servers: ServerCounters[];
}

const HTTP_ANSWERS = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'];
const REQUIRED = ['pxname', 'svname', 'stot', 'econ', 'eresp', 'type'];
const SERVER_TYPE = '2';

const counter = (value: string | undefined): number => {
  const n = Number(value);
  return value === undefined || value === '' || !Number.isFinite(n) ? 0 : n;
};

/** Throws with a short description of what is wrong with the answer. */
export const parseShowStat = (text: string): StatSnapshot => {
  const lines = text.split('\n');
  const headerAt = lines.findIndex((line) => line.startsWith('# pxname,'));
  if (headerAt < 0) {
    const first = lines.find((line) => line.trim() !== '') ?? '';
    throw new Error(`no "show stat" CSV in the answer (it begins ${JSON.stringify(first.slice(0, 80))})`);
  }
  const pidLine = lines.slice(0, headerAt).find((line) => line.startsWith('Pid: '));
  const columns = (lines[headerAt] as string).slice(2).split(',');
  const missing = REQUIRED.filter((name) => !columns.includes(name));
  if (missing.length > 0) throw new Error(`the "show stat" CSV has no column ${missing.join(', ')}`);
  const at = new Map(columns.map((name, i) => [name, i]));
  const servers: ServerCounters[] = [];
  for (const line of lines.slice(headerAt + 1)) {
    if (line.trim() === '') break;
    const fields = line.split(',');
    const field = (name: string): string | undefined => {
      const i = at.get(name);
      return i === undefined ? undefined : fields[i];
    };
    if (field('type') !== SERVER_TYPE) continue;
    const lost = counter(field('econ')) + counter(field('eresp'));
    const http = HTTP_ANSWERS.some((name) => (field(name) ?? '') !== '');
    servers.push({
      backend: field('pxname') ?? '',
      server: field('svname') ?? '',
      addr: field('addr') ?? '',
      requests: http ? HTTP_ANSWERS.reduce((sum, name) => sum + counter(field(name)), 0) + lost : counter(field('stot')),
      failures: lost + counter(field('hrsp_5xx')),
    });
  }
  return { pid: pidLine?.slice('Pid: '.length).trim(), servers };
};
