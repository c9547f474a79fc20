// The three report files (JSON, JUnit XML, one self-contained HTML page) and the terminal summary.
// Nothing here reads the clock: apart from the timing fields, two runs with the same outcomes
// write the same bytes.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Exchange } from './http.js';
import type { CaseResult, RunResult } from './run.js';

export const REPORT_FILES = { json: 'conformance.json', junit: 'conformance.junit.xml', html: 'conformance.html' };

export async function writeReports(run: RunResult, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = [
    [REPORT_FILES.json, toJson(run)],
    [REPORT_FILES.junit, toJunit(run)],
    [REPORT_FILES.html, toHtml(run)],
  ] as const;
  for (const [name, text] of files) await writeFile(path.join(dir, name), text);
  return files.map(([name]) => path.join(dir, name));
}

export function toJson(run: RunResult): string {
  return `${JSON.stringify({ format: 'uraiden-conformance/1', ...run }, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// JUnit: one testsuite per area; fail → <failure>, error → <error>, unimplemented → <skipped>,
// warn → passes with the warning in <system-out>; expected failures are <skipped> with the reason.

function xml(text: string): string {
  // also drop characters XML 1.0 cannot carry at all
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: this class names exactly the characters XML 1.0 allows
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g, '\uFFFD')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

export function toJunit(run: RunResult): string {
  const areas = new Map<string, CaseResult[]>();
  for (const r of run.results) {
    const area = r.id.split('/')[1] ?? 'other';
    areas.set(area, [...(areas.get(area) ?? []), r]);
  }
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const count = (rs: CaseResult[], p: (r: CaseResult) => boolean) => rs.filter(p).length;
  const failed = (r: CaseResult) => r.outcome === 'fail' && r.expectedFailure === undefined;
  const errored = (r: CaseResult) => r.outcome === 'error' && r.expectedFailure === undefined;
  const skipped = (r: CaseResult) => r.outcome === 'unimplemented' || r.expectedFailure !== undefined;
  out.push(
    `<testsuites name="uraiden-conformance" tests="${run.results.length}" failures="${count(run.results, failed)}" errors="${count(run.results, errored)}" skipped="${count(run.results, skipped)}" time="${secs(run.totalMs)}">`,
  );
  for (const [area, rs] of areas) {
    out.push(
      `  <testsuite name="rdn/${xml(area)}" tests="${rs.length}" failures="${count(rs, failed)}" errors="${count(rs, errored)}" skipped="${count(rs, skipped)}" time="${secs(rs.reduce((a, r) => a + r.durationMs, 0))}">`,
    );
    for (const r of rs) {
      out.push(
        `    <testcase classname="rdn.${xml(area)}" name="${xml(`${r.id} ${r.spec} ${r.level}: ${r.requirement}`)}" file="${xml(r.file)}" line="${r.line}" time="${secs(r.durationMs)}">`,
      );
      const detail = xml(details(r));
      if (r.expectedFailure !== undefined) out.push(`      <skipped message="${xml(`expected failure: ${r.expectedFailure}`)}">${detail}</skipped>`);
      else if (r.outcome === 'fail') out.push(`      <failure message="${xml(r.message ?? '')}" type="fail">${detail}</failure>`);
      else if (r.outcome === 'error') out.push(`      <error message="${xml(r.message ?? '')}" type="error">${detail}</error>`);
      else if (r.outcome === 'unimplemented') out.push(`      <skipped message="${xml(r.message ?? 'unimplemented')}"/>`);
      else if (r.outcome === 'warn') out.push(`      <system-out>${xml(`warning (SHOULD): ${r.message ?? ''}\n${details(r)}`)}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function showExchange(x: Exchange): string {
  const req = [`> ${x.request.method} ${x.request.path}`, ...Object.entries(x.request.headers).map(([k, v]) => `> ${k}: ${v}`)];
  if (x.request.body !== undefined) req.push(`> ${x.request.body}`);
  if (x.error) return [...req, `! ${x.error}`].join('\n');
  const res = x.response;
  if (!res) return req.join('\n');
  const lines = [
    `< ${res.status}`,
    ...Object.entries(res.headers)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `< ${k}: ${v}`),
    ...res.setCookies.map((c) => `< set-cookie: ${c}`),
  ];
  const body = res.body.length > 2000 ? `${res.body.slice(0, 2000)}…` : res.body;
  if (body) lines.push(`<`, ...body.split('\n').map((l) => `< ${l}`));
  return [...req, ...lines].join('\n');
}

/** The text a reader needs to reproduce a failure: where, why, the exchanges, the chain calls. */
export function details(r: CaseResult): string {
  const parts = [`${r.file}:${r.stepLine ?? r.line}`, r.message ?? ''];
  if (r.exchanges?.length) parts.push('', 'HTTP exchanges:', ...r.exchanges.map(showExchange).join('\n\n').split('\n'));
  if (r.chainCalls?.length) parts.push('', 'chain calls:', ...r.chainCalls);
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------
// HTML: inline CSS, no script, no external resource: it can be attached to a CI run as is.

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
.pass{color:#161}.fail,.error{color:#b00;font-weight:bold}.warn{color:#a60}.unimplemented{color:#666}
pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:12px}details{margin:0 0 1em}
.summary span{margin-right:1.5em}`;

export function toHtml(run: RunResult): string {
  const rows = run.results.map((r) => {
    const cls = r.outcome;
    const label = r.expectedFailure !== undefined ? `${r.outcome} (expected)` : r.outcome;
    return `<tr id="${html(r.id)}"><td><a href="#${html(r.id)}">${html(r.id)}</a></td><td>${html(r.spec)}</td><td>${r.level}</td><td class="${cls}">${html(label)}</td><td>${html(r.requirement)}${r.message ? `<br><small>${html(r.message)}</small>` : ''}</td><td>${r.durationMs}&nbsp;ms</td></tr>`;
  });
  const failures = run.results
    .filter((r) => r.exchanges !== undefined)
    .map(
      (r) =>
        `<details open><summary class="${r.outcome}">${html(r.id)} — ${html(r.outcome)}: ${html(r.requirement)}</summary><pre>${html(details(r))}</pre></details>`,
    );
  const c = run.counts;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>µRaiden conformance report</title><style>${CSS}</style></head>
<body>
<h1>µRaiden conformance report</h1>
<p>Target: <code>${html(run.target)}</code>${run.strict ? ' — strict (SHOULD failures fail)' : ''}${run.interrupted ? ' — <b>interrupted</b>' : ''}</p>
<p class="summary"><span class="pass">pass ${c.pass}</span><span class="fail">fail ${c.fail}</span><span class="warn">warn ${c.warn}</span><span class="unimplemented">unimplemented ${c.unimplemented}</span><span class="error">error ${c.error}</span><span>total time ${(run.totalMs / 1000).toFixed(1)} s</span></p>
<table><thead><tr><th>case</th><th>§</th><th>level</th><th>outcome</th><th>requirement</th><th>time</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
${failures.length ? `<h2>Failures, warnings and errors</h2>\n${failures.join('\n')}` : ''}
</body></html>
`;
}

// ---------------------------------------------------------------------------------------------

export function summaryTable(run: RunResult): string {
  const c = run.counts;
  const lines = [
    '',
    'outcome        cases',
    `pass           ${c.pass}`,
    `fail           ${c.fail}`,
    `warn           ${c.warn}`,
    `unimplemented  ${c.unimplemented}`,
    `error          ${c.error}`,
    `total          ${run.results.length} in ${(run.totalMs / 1000).toFixed(1)} s`,
  ];
  const known = run.results.filter((r) => r.expectedFailure !== undefined);
  if (known.length) lines.push(`(${known.length} expected failure(s) not counted: ${known.map((r) => r.id).join(', ')})`);
  const slow = [...run.results].sort((a, b) => b.durationMs - a.durationMs).slice(0, 5);
  if (slow.length) {
    lines.push('', 'slowest cases');
    for (const r of slow) lines.push(`  ${String(r.durationMs).padStart(6)} ms  ${r.id}`);
  }
  const bad = run.results.filter((r) => r.outcome !== 'pass' && r.outcome !== 'unimplemented');
  if (bad.length) {
    lines.push('', 'not passing');
    for (const r of bad) lines.push(`  ${r.outcome.padEnd(5)} ${r.id}${r.expectedFailure !== undefined ? ' (expected)' : ''}: ${r.message ?? ''}`);
  }
  lines.push(
    '',
    run.failing === 0 && !run.interrupted
      ? 'RESULT: conformant (no fail, no error)'
      : `RESULT: ${run.interrupted ? 'interrupted' : `${run.failing} case(s) failing`}`,
  );
  return lines.join('\n');
}
