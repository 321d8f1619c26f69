import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildReportHtml } from './report-html.js';
import type { BenchReport } from './report-types.js';

/** Writes `report.json` and the self-contained `report.html` into `dir`; returns their paths. */
export async function writeReport(dir: string, report: BenchReport): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(html, await buildReportHtml(report));
  return { json, html };
}
