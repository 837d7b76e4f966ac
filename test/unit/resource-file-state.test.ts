import { describe, expect, it } from 'vitest';
import type { TemplateResource } from '../../src/config/resource.js';
import { isUpToDate, wantedState, type FileState } from '../../src/resource/file-state.js';
import { noopDiff } from '../../src/resource/noop-diff.js';
import { isTempFileOf, tempPathFor } from '../../src/resource/stage-file.js';

const resource = (over: Partial<TemplateResource> = {}): TemplateResource => ({
  name: 'a.toml', file: '/c/a.toml', src: '/c/a.hbs', dest: '/etc/a.conf', prefix: '/', keys: [], paths: [], ...over,
});
const current: FileState = { content: 'x\n', mode: 0o640, uid: 1, gid: 2 };

describe('wantedState / isUpToDate', () => {
  it("defaults to dest's mode and owner, else 0644", () => {
    expect(wantedState(resource(), 'x\n', current)).toEqual({ content: 'x\n', mode: 0o640, uid: 1, gid: 2 });
    expect(wantedState(resource(), 'x\n', undefined)).toEqual({ content: 'x\n', mode: 0o644, uid: undefined, gid: undefined });
    expect(wantedState(resource({ mode: 0o600, uid: 0 }), 'x\n', current)).toMatchObject({ mode: 0o600, uid: 0, gid: 2 });
  });

  it('compares content, mode and owner', () => {
    expect(isUpToDate(current, wantedState(resource(), 'x\n', current))).toBe(true);
    expect(isUpToDate(current, wantedState(resource(), 'y\n', current))).toBe(false);
    expect(isUpToDate(current, wantedState(resource({ mode: 0o644 }), 'x\n', current))).toBe(false);
    expect(isUpToDate(current, wantedState(resource({ gid: 0 }), 'x\n', current))).toBe(false);
    expect(isUpToDate(undefined, wantedState(resource(), 'x\n', undefined))).toBe(false);
  });
});

describe('noopDiff', () => {
  it('shows content, mode and owner changes', async () => {
    const diff = await noopDiff('/etc/a.conf', current, { content: 'y\n', mode: 0o600, uid: 0, gid: 2 });
    expect(diff).toContain('# /etc/a.conf: mode 0640 -> 0600');
    expect(diff).toContain('# /etc/a.conf: owner 1:2 -> 0:2');
    expect(diff).toMatch(/^--- \/etc\/a\.conf\tcurrent$/m);
    expect(diff).toMatch(/^-x\n\+y$/m);
  });
});

describe('temp file names', () => {
  it('are hidden, next to dest, and recognised only for their own dest', () => {
    const staged = tempPathFor('/etc/nginx/app.conf', 'stage');
    expect(staged).toMatch(/^\/etc\/nginx\/\.app\.conf\.switchyard-stage-[0-9a-f]{12}$/);
    expect(isTempFileOf('/etc/nginx/app.conf', staged.split('/').pop() ?? '')).toBe(true);
    expect(isTempFileOf('/etc/nginx/other.conf', staged.split('/').pop() ?? '')).toBe(false);
    expect(isTempFileOf('/etc/nginx/app.conf', '.app.conf.swp')).toBe(false);
  });
});
