/**
 * A target that never comes up, or dies and cannot come back: the run still writes its three
 * reports (CI gets its JUnit file), every case it could not play is an `error` with the reason,
 * the target's output appears once, and a command that exited at once is not started again.
 */
import { expect } from 'chai';
import path from 'node:path';
import { checkXml, conformanceRun, count, FIXTURES } from './helpers.js';

interface Report {
  startFailure?: { reason: string; output: string };
  hints: string[];
  results: { id: string; outcome: string; message?: string }[];
}

const CASES = 'rdn/payment/1,rdn/payment/2,rdn/rest/1,rdn/chain/1';

async function run(targetCmd: string, extra: string[] = []) {
  const { r, reports } = await conformanceRun(['--target-cmd', targetCmd, '--cases', CASES, ...extra]);
  return { r, reports, report: JSON.parse(reports.json) as Report };
}

describe('uraiden conformance: a target that does not start', function () {
  this.timeout(120_000);

  it('exited at once: not retried, every case an error with the reason, the output once in each report', async () => {
    // printf: the command line itself (echoed with the run) must not contain the output
    const { r, reports, report } = await run("printf 'boom: %s\\n' 'no database here' >&2; exit 3");
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).not.to.match(/trying once more/);
    expect(report.startFailure?.reason).to.match(/^exited with code 3 at once, within 2 s of its launch$/);
    expect(report.startFailure?.output).to.equal('boom: no database here');
    expect(report.results.map((x) => x.id)).to.deep.equal(['rdn/payment/1', 'rdn/payment/2', 'rdn/rest/1', 'rdn/chain/1']);
    for (const x of report.results) {
      expect(x.outcome, x.id).to.equal('error');
      expect(x.message).to.match(/^the target did not start: exited with code 3 at once/);
      expect(x.message).not.to.include('boom');
    }
    expect(report.hints).to.have.length(1);
    expect(report.hints[0]).to.match(/^your server never started \(exited with code 3.*GET \/echofix\/ready/);
    // the output: once on the console, once in each report file
    expect(count(r.stdout, 'boom: no database here')).to.equal(1);
    expect(count(reports.json, 'boom: no database here')).to.equal(1);
    expect(count(reports.junit, 'boom: no database here')).to.equal(1);
    expect(count(reports.html, 'boom: no database here')).to.equal(1);
    const names = checkXml(reports.junit);
    expect(names.filter((n) => n === 'error')).to.have.length(4);
    expect(names.filter((n) => n === 'testcase')).to.have.length(4);
    expect(r.stdout).to.match(/every case errored: the target did not start/);
    expect(r.stdout).to.match(/RESULT: 4 case\(s\) failing\n/);
  });

  it('never answered GET /echofix/ready: one more start, then every case an error', async () => {
    // --time-multiplier 0.1: 3 s for readiness instead of 30
    const { r, report } = await run('echo listening soon; sleep 60', ['--time-multiplier', '0.1']);
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(count(r.stdout, 'trying once more')).to.equal(1);
    expect(report.startFailure?.reason).to.equal('did not answer GET /echofix/ready within 3000 ms');
    expect(
      report.results.every(
        (x) =>
          x.outcome === 'error' &&
          x.message === 'the target did not start: did not answer GET /echofix/ready within 3000 ms (its output is shown once, with the run)',
      ),
    ).to.equal(true);
  });

  it('exited after a while: started once more (it may have given up on a busy chain)', async () => {
    // --time-multiplier 0.5: an exit within 1 s is "at once"
    const { r, report } = await run("sleep 1.5; echo 'gave up waiting for the chain' >&2; exit 4", ['--time-multiplier', '0.5']);
    expect(r.code).to.equal(1);
    expect(count(r.stdout, 'trying once more')).to.equal(1);
    expect(report.startFailure?.reason).to.equal('exited with code 4');
  });

  it('died during the run and cannot start again: its output once, the remaining cases errors at once', async () => {
    const { r, reports } = await conformanceRun([
      '--target-cmd',
      `node ${path.join(FIXTURES, 'dies-target.mjs')}`,
      '--cases',
      'rdn/payment/1,rdn/payment/4,rdn/payment/5,rdn/headers/13',
    ]);
    expect(r.code).to.equal(1);
    const report = JSON.parse(reports.json) as Report;
    const by = Object.fromEntries(report.results.map((x) => [x.id, x]));
    expect(by['rdn/payment/1']?.outcome, by['rdn/payment/1']?.message).to.equal('pass');
    // the first payment kills it
    expect(by['rdn/payment/4']?.outcome).to.equal('error');
    expect(by['rdn/payment/4']?.message).to.match(/^step 3 \(pay, line \d+\): no usable answer from the target: GET \/echofix\/paid: /);
    expect(by['rdn/payment/5']?.outcome).to.equal('error');
    expect(by['rdn/payment/5']?.message).to.match(
      /^before this case the target was down and did not start again: exited with code 7 at once, within 2 s of its launch; its last output:\nrefusing to start again/,
    );
    expect(by['rdn/headers/13']?.outcome).to.equal('error');
    expect(by['rdn/headers/13']?.message).to.equal(
      'the target is down since rdn/payment/5 and did not start again (exited with code 7 at once, within 2 s of its launch)',
    );
    expect(count(reports.json, 'refusing to start again')).to.equal(1);
    expect(count(r.stdout, 'refusing to start again')).to.equal(1);
  });
});
