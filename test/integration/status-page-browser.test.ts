// The status page in a real browser (Debian's chromium through
// playwright-core) against a watching daemon on a real etcd: every resource
// and a blue/green app are shown, a failing row stands out, the page follows
// a key change within 2 s without a reload, and a screenshot is kept.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { startHttpApp, type HttpApp } from '../harness/http-app.js';
import { freePort } from '../harness/ports.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACT = join(REPO, 'test-artifacts', 'status-page.png');

// Evaluated in the page (the tests compile without the DOM's types).
const liveIs = (color: string): string => `document.querySelector('[data-app="/apps/shop"] .live')?.textContent.trim() === '${color}'`;

let etcd: EtcdServer;
let blue: HttpApp;
let watcher: Watcher;
let browser: BrowserContext | undefined;
let profile: string | undefined;
let base: string;

beforeAll(async () => {
  etcd = await startEtcd();
  blue = await startHttpApp('blue');
  const greenPort = await freePort(); // nothing listens: green is unhealthy
  await etcd.etcdctl('put', '/apps/shop/live', 'blue');
  await etcd.etcdctl('put', '/apps/shop/blue/addr', blue.addr);
  await etcd.etcdctl('put', '/apps/shop/green/addr', `127.0.0.1:${greenPort}`);
  await etcd.etcdctl('put', '/site/name', 'example.org');
  const conf = makeConfdir();
  conf.addResource({
    name: 'shop',
    template: 'upstream shop { server {{getv "/shop/blue/addr"}}; } # live: {{getv "/shop/live"}}\n',
    fields: { dest: join(conf.dir, 'shop.conf'), prefix: '/apps', keys: ['/shop'] },
  });
  conf.addResource({
    name: 'site',
    template: 'server_name {{getv "/name"}};\n',
    fields: { dest: join(conf.dir, 'site.conf'), prefix: '/site', keys: ['/name'], check_cmd: 'sh -c "echo refusing >&2; exit 3"' },
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  watcher = startWatcher(['--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint, '--metrics-addr', `127.0.0.1:${port}`]);
  await watcher.waitFor(/ready; watching/);
});

// A fresh profile every run; the flags keep Chromium from calling home.
const launchBrowser = async (): Promise<BrowserContext> => {
  profile = mkdtempSync(join(tmpdir(), 'switchyard-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 720 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
};

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await watcher?.stop();
  await blue?.stop();
  await etcd?.stop();
});

describe('status page', () => {
  it('is complete without JavaScript, and /status.json carries the same data', async () => {
    const html = await (await fetch(`${base}/`)).text();
    expect(html).toContain('shop.toml');
    expect(html).toContain('site.toml');
    expect(html).toMatch(/<tr class="failing" data-resource="site.toml">/);
    expect(html).toContain('data-app="/apps/shop"');
    expect(html).not.toMatch(/<(?:script|link|img)[^>]+(?:src|href)=/);
    const doc = (await (await fetch(`${base}/status.json`)).json()) as {
      resources: { name: string; ok: boolean; lastError?: { stage: string } }[];
      backend: { name: string; connected: boolean; watching: number };
      apps: { root: string; live: string; colors: { color: string; healthy: boolean }[] }[];
    };
    expect(doc.resources.map((r) => [r.name, r.ok, r.lastError?.stage])).toEqual([
      ['shop.toml', true, undefined],
      ['site.toml', false, 'check'],
    ]);
    expect(doc.backend).toMatchObject({ name: 'etcd', connected: true });
    expect(doc.backend.watching).toBeGreaterThan(0);
    expect(doc.apps).toEqual([
      expect.objectContaining({ root: '/apps/shop', live: 'blue', colors: [expect.objectContaining({ color: 'blue', healthy: true }), expect.objectContaining({ color: 'green', healthy: false })] }),
    ]);
  });

  it('shows each resource and the app in Chromium, and follows a key change within 2 s without a reload', async () => {
    browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await expect.poll(() => page.locator('[data-resource]').count()).toBe(2);
    expect(await page.locator('[data-resource="site.toml"]').getAttribute('class')).toBe('failing');
    expect(await page.locator('[data-resource="site.toml"] .err').innerText()).toMatch(/check/i);
    expect((await page.locator('[data-app="/apps/shop"] .live').innerText()).trim()).toBe('blue');
    await page.evaluate('window.marker = 42');

    await etcd.etcdctl('put', '/apps/shop/live', 'green');
    const changed = Date.now();
    await page.waitForFunction(liveIs('green'), undefined, { timeout: 2_000 });
    const ms = Date.now() - changed;
    // Same document: nothing reloaded it.
    expect(await page.evaluate('window.marker')).toBe(42);
    // green has nothing listening: the app's row now stands out.
    await expect.poll(() => page.locator('[data-app="/apps/shop"]').getAttribute('class')).toBe('failing');
    await etcd.etcdctl('put', '/apps/shop/live', 'blue');
    await page.waitForFunction(liveIs('blue'));
    mkdirSync(join(REPO, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: ARTIFACT, fullPage: true });
    console.log(`status page followed the key change in ${ms} ms; screenshot ${ARTIFACT}`);
  });
});
