// The status page: server-rendered HTML that reads without JavaScript; a
// tiny inline script swaps in the fresh <main> from /events. No external
// assets. Every text goes through escape(), which masks secrets first.
import { redact } from '../log.js';
import { historyName, type NumberedEntry } from '../history/store.js';
import type { StatusDocument } from './model.js';

// Secrets are masked before escaping: no HTML-escaped spelling of one survives.
const escape = (s: string): string => redact(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const ago = (iso: string | undefined, now: number): string => {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const rel = s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `<time datetime="${escape(iso)}" title="${escape(iso)}">${rel} ago</time>`;
};

const uptime = (seconds: number): string => {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${seconds % 60}s`;
};

const badge = (ok: boolean, text: string): string => `<span class="badge ${ok ? 'ok' : 'bad'}">${escape(text)}</span>`;

const resourcesTable = (doc: StatusDocument, now: number): string => {
  if (doc.resources.length === 0) return '<p class="muted">No resources yet.</p>';
  const rows = doc.resources.map((r) => {
    const err = r.lastError
      ? `<span class="stage">${escape(r.lastError.stage)}</span> ${escape(r.lastError.message)} <span class="muted">(${ago(r.lastError.at, now)})</span>`
      : '<span class="muted">—</span>';
    return (
      `<tr class="${r.ok ? '' : 'failing'}" data-resource="${escape(r.name)}">` +
      `<td><strong>${escape(r.name)}</strong></td><td><code>${escape(r.dest)}</code></td>` +
      `<td>${badge(r.ok, r.result)}</td><td>${ago(r.lastRender, now)}</td><td>${ago(r.lastSuccess, now)}</td>` +
      `<td>${escape(r.revision ?? '—')}</td><td class="err">${err}</td>` +
      `<td><a href="${escape(r.history)}">history</a></td></tr>`
    );
  });
  return (
    '<table><thead><tr><th>resource</th><th>dest</th><th>result</th><th>last render</th><th>last success</th>' +
    `<th>revision</th><th>last error</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
};

const backendBlock = (doc: StatusDocument): string => {
  const b = doc.backend;
  const known = b.connected !== undefined;
  const cells = [
    `<dt>backend</dt><dd><strong>${escape(b.name)}</strong></dd>`,
    `<dt>endpoints</dt><dd>${b.endpoints.map((e) => `<code>${escape(e)}</code>`).join(' ') || '—'}</dd>`,
    known ? `<dt>connected</dt><dd>${badge(b.connected === true, b.connected ? 'yes' : 'no')}</dd>` : '',
    b.watching !== undefined ? `<dt>watching</dt><dd>${b.watching}</dd>` : '',
    b.reconnects !== undefined ? `<dt>reconnects</dt><dd>${b.reconnects}</dd>` : '',
    b.lastError ? `<dt>last error</dt><dd class="err">${escape(b.lastError)}</dd>` : '',
  ];
  return `<dl class="${known && !b.connected ? 'failing' : ''}">${cells.join('')}</dl>`;
};

// With several endpoints: which answer, which one requests go to, answer times.
const endpointsTable = (doc: StatusDocument): string => {
  const report = doc.backend.endpointHealth;
  if (!report || report.length < 2) return '';
  const ms = (v: number | undefined): string => (v === undefined ? '—' : `${v} ms`);
  const rows = report.map(
    (r) =>
      `<tr class="${r.up ? '' : 'failing'}" data-endpoint="${escape(r.endpoint)}"><td><code>${escape(r.endpoint)}</code>${r.preferred ? ' <span class="muted">(in use)</span>' : ''}</td>` +
      `<td>${badge(r.up, r.up ? 'answering' : 'not answering')}</td><td>${ms(r.p50Ms)}</td><td>${ms(r.p99Ms)}</td><td>${ms(r.hedgeDelayMs)}</td>` +
      `<td class="err">${r.up ? '' : `${escape(r.lastError ?? '')} <span class="muted">(since ${escape(r.downSince ?? '?')}, retry in ${ms(r.retryInMs)})</span>`}</td></tr>`,
  );
  return (
    '<h3>Store endpoints</h3><table class="store-endpoints"><thead><tr><th>endpoint</th><th>state</th><th>p50</th><th>p99</th><th>hedge after</th><th></th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
};

const appsTable = (doc: StatusDocument): string => {
  if (doc.apps.length === 0) return '<p class="muted">No blue/green apps under the watched keys.</p>';
  const rows = doc.apps.map((a) => {
    const color = (c: string): string => {
      const s = a.colors.find((x) => x.color === c);
      if (!s) return '<td>—</td>';
      return `<td><code>${escape(s.addr ?? '(unset)')}</code> ${badge(s.healthy, s.health)}</td>`;
    };
    const liveHealthy = a.colors.find((c) => c.color === a.live)?.healthy ?? false;
    const live = a.live ? `<span class="color ${a.live}">${a.live}</span>` : '<span class="muted">(unset)</span>';
    return (
      `<tr class="${a.error || !liveHealthy ? 'failing' : ''}" data-app="${escape(a.root)}"><td><strong>${escape(a.root)}</strong></td>` +
      `<td class="live">${live}</td><td>${escape(a.previous ?? '—')}</td>${color('blue')}${color('green')}` +
      `<td class="err">${escape(a.error ?? '')}</td></tr>`
    );
  });
  return (
    '<table><thead><tr><th>app</th><th>live</th><th>previous</th><th>blue</th><th>green</th><th></th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>`
  );
};

// With --report: one row per host and resource, as `fleet status` prints them.
const fleetSection = (doc: StatusDocument): string => {
  const fleet = doc.fleet;
  if (!fleet) return '';
  const rows = fleet.hosts.flatMap((h) =>
    h.resources.length === 0
      ? [`<tr class="failing" data-host="${escape(h.host)}"><td><strong>${escape(h.host)}</strong></td><td colspan="5" class="muted">no resources reported</td></tr>`]
      : h.resources.map(
          (r) =>
            `<tr class="${r.behind === 0 && r.result === 'ok' ? '' : 'failing'}" data-host="${escape(h.host)}"><td><strong>${escape(h.host)}</strong></td>` +
            `<td>${escape(r.name)}</td><td>${r.revision ?? '—'}</td><td>${r.behind}</td><td>${r.age_s}s</td>` +
            `<td>${badge(r.result === 'ok', r.result)}</td></tr>`,
        ),
  );
  const summary = `<p class="fleet-summary">${fleet.current}/${fleet.hosts.length} hosts current</p>`;
  return (
    '<section><h2>Fleet</h2>' +
    '<table><thead><tr><th>host</th><th>resource</th><th>revision</th><th>behind</th><th>age</th><th>result</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table>${summary}</section>`
  );
};

/** The part of the page /events replaces. */
export const renderMain = (doc: StatusDocument, now: number = Date.now()): string => {
  const failing = doc.resources.filter((r) => !r.ok).length;
  const summary = failing ? badge(false, `${failing} failing`) : badge(true, 'all resources ok');
  return (
    `<main id="main"><header><h1>switchyard</h1><span>${summary}</span>` +
    `<span class="muted">version ${escape(doc.version)} · up ${uptime(doc.uptimeSeconds)} · since ${escape(doc.startedAt)}</span></header>` +
    `<section><h2>Resources</h2>${resourcesTable(doc, now)}</section>` +
    `<section><h2>Backend</h2>${backendBlock(doc)}${endpointsTable(doc)}</section>` +
    `<section><h2>Blue/green apps</h2>${appsTable(doc)}</section>` +
    fleetSection(doc) +
    `<footer class="muted"><a href="/status.json">status.json</a> · <a href="/metrics">metrics</a> · <a href="/healthz">healthz</a></footer></main>`
  );
};

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#f6f8fa}
main{max-width:1200px;margin:0 auto;padding:24px}header{display:flex;gap:16px;align-items:baseline;flex-wrap:wrap;margin-bottom:8px}
h1{font-size:22px;margin:0}h2{font-size:15px;margin:24px 0 8px;text-transform:uppercase;letter-spacing:.04em;color:#57606a}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #d0d7de;border-radius:6px;overflow:hidden}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #eaeef2;vertical-align:top}th{background:#f6f8fa;font-weight:600;color:#57606a;font-size:12px}
tr:last-child td{border-bottom:0}tr.failing td{background:#fff1f0}tr.failing td:first-child{box-shadow:inset 4px 0 0 #cf222e}
dl.failing{border-color:#cf222e;background:#fff1f0}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:1px 4px;border-radius:4px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}.ok{background:#dafbe1;color:#116329}.bad{background:#ffebe9;color:#a40e26}
.muted{color:#6e7781}.err{color:#a40e26;max-width:380px;word-break:break-word}.stage{font-weight:600;text-transform:uppercase;font-size:11px}
.color{display:inline-block;padding:1px 8px;border-radius:4px;color:#fff;font-weight:600}.color.blue{background:#0969da}.color.green{background:#1a7f37}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;margin:0}
dt{color:#57606a}dd{margin:0}footer{margin-top:24px}a{color:#0969da}
`;

// Swaps in the fresh <main>; without JavaScript the page is complete as served.
const SCRIPT = `if(window.EventSource){var es=new EventSource('/events');es.onmessage=function(e){var m=document.getElementById('main');if(m)m.outerHTML=e.data;};}`;

export const renderPage = (doc: StatusDocument): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<title>switchyard status</title><style>${STYLE}</style></head><body>${renderMain(doc)}<script>${SCRIPT}</script></body></html>`;

export const renderHistoryPage = (resource: string, entries: NumberedEntry[]): string => {
  const rows = entries.map(
    (e) =>
      `<tr class="${e.result === 'failed' ? 'failing' : ''}"><td>${e.n}</td><td>${escape(e.revision ?? '—')}</td><td>${escape(e.time)}</td>` +
      `<td><code>${escape(e.sha256?.slice(0, 12) ?? '—')}</code></td><td>${badge(e.result !== 'failed', e.result)}` +
      `${e.stage ? ` <span class="stage">${escape(e.stage)}</span> ${escape(e.error ?? '')}` : ''}</td></tr>`,
  );
  const body = entries.length
    ? `<table><thead><tr><th>n</th><th>revision</th><th>time</th><th>sha256</th><th>result</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '<p class="muted">No history yet.</p>';
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(resource)} history</title><style>${STYLE}</style></head>` +
    `<body><main><header><h1>${escape(historyName(resource))} history</h1><a href="/">back</a></header>` +
    `<p class="muted">Content: <code>switchyard history ${escape(resource)} --show N</code>, ` +
    `<code>switchyard diff ${escape(resource)} N</code>.</p>${body}</main></body></html>`
  );
};
