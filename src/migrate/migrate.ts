// A migration: convert every planned template, write the confdir, report.
// Exit 0 when everything converted, 1 when some constructs were not (the
// rest is written all the same).
import { join } from 'node:path';
import { convertGoTemplate } from './convert-template.js';
import type { Finding, Plan } from './plan.js';
import { writeGlobals, writeResource } from './write-confdir.js';

export interface MigrationOutcome {
  lines: string[];
  findings: Finding[];
  exitCode: 0 | 1;
}

const where = (f: Finding): string => `${f.file}${f.line !== undefined ? `:${f.line}` : ''}`;

export const formatFinding = (f: Finding): string => `not converted  ${where(f)}: ${f.construct}: ${f.reason}`;

export const runMigration = async (plan: Plan, srcBase: string, destDir: string): Promise<MigrationOutcome> => {
  const lines: string[] = [];
  const findings = [...plan.findings];
  let written = 0;
  for (const resource of plan.resources) {
    const origin = resource.origin.startsWith('/') ? resource.origin : join(srcBase, resource.origin);
    const converted = convertGoTemplate(resource.source, plan.dialect, origin, resource.delimiters);
    findings.push(...converted.findings);
    if (converted.text === undefined) continue;
    await writeResource(destDir, resource, converted.text);
    written += 1;
    const partly = converted.findings.length > 0 ? ' (partly: see below)' : '';
    lines.push(`converted  ${origin} → ${join(destDir, 'templates', resource.templateName)}, conf.d/${resource.name}.toml${partly}`);
  }
  const mode = await writeGlobals(destDir, plan);
  if (mode !== undefined) {
    const why = plan.secrets.length > 0 ? ` (mode 0600: holds ${plan.secrets.join(', ')})` : '';
    lines.push(`wrote      ${join(destDir, 'switchyard.toml')}${why}`);
  }
  for (const note of plan.notes) lines.push(`note       ${note}`);
  lines.push(...findings.map(formatFinding));
  lines.push(`${written} of ${plan.resources.length} resources written; ${findings.length} construct${findings.length === 1 ? '' : 's'} not converted`);
  return { lines, findings, exitCode: findings.length > 0 ? 1 : 0 };
};
