// The three report files: JSON, JUnit XML, one self-contained HTML page (console.ts is the terminal).
// Nothing here reads the clock: apart from the timing fields, two runs with the same outcomes
// write the same bytes.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Exchange } from './http.js';
import type { CaseResult, RunResult } from './results.js';

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
  let first = true;
  for (const [area, rs] of areas) {
    out.push(
      `  <testsuite name="rdn/${xml(area)}" tests="${rs.length}" failures="${count(rs, failed)}" errors="${count(rs, errored)}" skipped="${count(rs, skipped)}" time="${secs(rs.reduce((a, r) => a + r.durationMs, 0))}">`,
      `    <properties><property name="uraiden-kit" value="${xml(run.kitVersion)}"/><property name="target" value="${xml(run.target)}"/></properties>`,
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
    // Said once for the run, in the first suite: the target's output when it never started, the hints.
    if (first && (run.startFailure || run.hints.length)) {
      const start = run.startFailure ? [`the target did not start: ${run.startFailure.reason}`, run.startFailure.output] : [];
      out.push(`    <system-err>${xml([...start, ...run.hints.map((h) => `hint: ${h}`)].join('\n'))}</system-err>`);
    }
    first = false;
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function showExchange(x: Exchange): string {
  const req = [
    `> ${x.request.method} ${x.request.path}`,
    ...Object.entries(x.request.headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((one) => `> ${k}: ${one}`)),
  ];
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
  if (r.notes?.length) parts.push('', ...r.notes);
  if (r.exchanges?.length) parts.push('', 'HTTP exchanges:', ...r.exchanges.map(showExchange).join('\n\n').split('\n'));
  if (r.chainCalls?.length) parts.push('', 'chain calls:', ...r.chainCalls);
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------
// HTML: inline CSS, no script, no external resource: it can be attached to a CI run as is. The
// table fits a 1280 px window (fixed layout, long values wrap); each id links to the case's
// details below it, open for a case that did not pass, collapsed for one that did.

function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1600px}
table{border-collapse:collapse;width:100%;table-layout:fixed}th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
col.id{width:9.5em}col.spec{width:4.5em}col.level{width:5.5em}col.outcome{width:8.5em}col.time{width:5.5em}
td.time{text-align:right;white-space:nowrap}
.pass{color:#161}.fail,.error{color:#b00;font-weight:bold}.warn{color:#a60}.unimplemented{color:#666}
small{color:#444}pre{background:#f6f6f6;padding:8px;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere;margin:.3em 0}
details{margin:0 0 .4em}summary{cursor:pointer;overflow-wrap:anywhere}
.summary span{margin-right:1.5em}.hints{background:#fff6d6;border:1px solid #e0c060;padding:.5em 1em}.hints li{margin:.2em 0}`;

function detailsId(id: string): string {
  return `details-${id}`;
}

function caseDetails(r: CaseResult): string {
  const label = r.expectedFailure !== undefined ? `${r.outcome} (expected failure)` : r.outcome;
  const open = r.outcome === 'pass' || r.outcome === 'unimplemented' ? '' : ' open';
  return `<details id="${html(detailsId(r.id))}"${open}><summary class="${r.outcome}">${html(r.id)} — ${html(label)}: ${html(r.requirement)}</summary><pre>${html(details(r))}</pre><a href="#${html(r.id)}">↑ back to the table</a></details>`;
}

export function toHtml(run: RunResult): string {
  const rows = run.results.map((r) => {
    const label = r.expectedFailure !== undefined ? `${r.outcome} (expected)` : r.outcome;
    return `<tr id="${html(r.id)}"><td><a href="#${html(detailsId(r.id))}">${html(r.id)}</a></td><td>${html(r.spec)}</td><td>${r.level}</td><td class="${r.outcome}">${html(label)}</td><td>${html(r.requirement)}${r.message ? `<br><small>${html(r.message.split('\n')[0] ?? '')}</small>` : ''}</td><td class="time">${r.durationMs}&nbsp;ms</td></tr>`;
  });
  const c = run.counts;
  const hints = run.hints.length ? `<div class="hints"><b>Where to start</b><ul>${run.hints.map((h) => `<li>${html(h)}</li>`).join('')}</ul></div>` : '';
  const start = run.startFailure
    ? `<h2 class="error">The target did not start</h2><p>${html(run.startFailure.reason)}</p>${run.startFailure.output ? `<p>Its last output:</p><pre>${html(run.startFailure.output)}</pre>` : ''}`
    : '';
  const parts = run.parts
    ? `<p>Optional parts: ${Object.entries(run.parts)
        .map(([name, p]) => `${html(name)} <b>${p.present ? 'yes' : 'no'}</b> <small>(${html(p.why)})</small>`)
        .join(', ')}</p>`
    : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>µRaiden conformance report</title><style>${CSS}</style></head>
<body>
<h1>µRaiden conformance report</h1>
<p>Target: <code>${html(run.target)}</code>${run.strict ? ' — strict (SHOULD failures fail)' : ''}${run.interrupted ? ' — <b>interrupted</b>' : ''}${run.stoppedAfter ? ` — <b>stopped after ${html(run.stoppedAfter)}</b> (--bail; ${run.notRun} case(s) not run)` : ''} — uraiden-kit ${html(run.kitVersion)}</p>
${parts}
<p class="summary"><span class="pass">pass ${c.pass}</span><span class="fail">fail ${c.fail}</span><span class="warn">warn ${c.warn}</span><span class="unimplemented">unimplemented ${c.unimplemented}</span><span class="error">error ${c.error}</span><span>total time ${(run.totalMs / 1000).toFixed(1)} s</span></p>
${hints}
${start}
<table><colgroup><col class="id"><col class="spec"><col class="level"><col class="outcome"><col><col class="time"></colgroup>
<thead><tr><th>case</th><th>§</th><th>level</th><th>outcome</th><th>requirement</th><th>time</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<h2>Cases</h2>
<p><small>Each case with its HTTP exchanges and chain calls; passing ones collapsed. A retried step shows its last attempt.</small></p>
${run.results.map(caseDetails).join('\n')}
</body></html>
`;
}
