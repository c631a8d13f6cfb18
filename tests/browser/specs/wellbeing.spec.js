// Issue 14, "Must show": a trial of our own questionnaires from start to analysis. The example
// trial docs/examples/wellbeing-study.json (PHQ-9 and GAD-7, not Tongji) planning 32; 40
// residents enrolled with their consent dates; 20 answer their baseline through survey links in
// Chromium on a phone and 20 are imported; the sealed list runs out after 32 and is extended;
// everyone answers the post questionnaires through links; `analyze` agrees with R.
//
// The data and the expected numbers come from tests/data/r/wellbeing.R (R computes the PHQ-9 and
// GAD-7 totals from the item answers and every statistic of the analysis), the arms from
// tests/data/randomization/make_golden.py, a second implementation of the allocation list.
// This spec runs the command line (BALINT_TRIAL_BINARY, exported by run.sh) on a database of
// its own, and serves that database for the phones, as a coordinator would.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { test, expect } = require('./fixtures');

const binary = process.env.BALINT_TRIAL_BINARY;
const repo = path.join(__dirname, '..', '..', '..');
const data = path.join(repo, 'tests', 'data', 'wellbeing');
const expected = JSON.parse(fs.readFileSync(path.join(data, 'expected.json'), 'utf8'));
const phone = { viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true };

/** Runs the command line; fails the test unless it exits with `status`. */
function cli(args, status = 0) {
  const r = spawnSync(binary, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(r.status, 'balint-trial ' + args.join(' ') + '\n' + r.stdout + r.stderr).toBe(status);
  return r;
}

/** Rows of a CSV without quoted fields (ours), as objects keyed by the header. */
function readCsv(file) {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const names = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((n, k) => [n, cells[k]]));
  });
}

/** `serve` on a free port; resolves with the process and its address once it listens. */
function serve(db, log) {
  const logFile = fs.openSync(log, 'w');
  const server = spawn(binary, ['serve', '--db', db, '--port', '0'],
    { stdio: ['ignore', 'pipe', logFile] });
  fs.closeSync(logFile);  // the server holds its own copy
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ server, url: m[1] });
    });
    server.on('exit', (code) => reject(new Error('serve exited with ' + code + '; see ' + log)));
  });
}

/** Stops the server with SIGTERM; it must exit cleanly (0, no sanitizer report). */
function stop(server) {
  return new Promise((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) {
      resolve({ code: server.exitCode, signal: server.signalCode });
      return;
    }
    server.removeAllListeners('exit');
    server.on('exit', (code, signal) => resolve({ code, signal }));
    server.kill('SIGTERM');
  });
}

/** The participant answers every item of their link on a phone and submits. The answers are
 *  clicked inside the page (one round trip for all 16; survey.spec.js taps them one by one),
 *  which fires the same events as a tap; Submit is a tap. */
async function answerLink(phoneContext, link, answers) {
  const p = await phoneContext.newPage();
  const problems = [];
  p.on('pageerror', (e) => problems.push(e.message));
  await p.goto(link.url);
  const mine = answers.filter((a) => a.participant === link.participant);
  await expect(p.locator('fieldset.item')).toHaveCount(mine.length);
  const selectors = mine.map((a) => 'fieldset[data-instrument="' + a.instrument +
    '"][data-item="' + a.item + '"] input[value="' + a.value + '"]');
  await p.evaluate((all) => all.forEach((s) => document.querySelector(s).click()), selectors);
  await expect(p.locator('fieldset.item input:checked')).toHaveCount(mine.length);
  await p.getByRole('button', { name: 'Submit' }).click();
  await expect(p.getByRole('heading', { name: 'Thank you' })).toBeVisible();
  expect(problems).toEqual([]);
  await p.close();
}

/** Every value R gives, ours within 1e-6 (relative beyond 1); R's undefined (null) is ours. */
function compareWithR(want, got, where, failures) {
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object') {
      failures.push(where + ': expected an object, got ' + JSON.stringify(got));
      return 0;
    }
    let checked = 0;
    for (const key of Object.keys(want)) {
      checked += compareWithR(want[key], got[key], where + '.' + key, failures);
    }
    return checked;
  }
  if (typeof want === 'number') {
    if (typeof got !== 'number' || !(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)))) {
      failures.push(where + ': R ' + want + ', ours ' + JSON.stringify(got));
    }
  } else if (want !== got) {
    failures.push(where + ': R ' + JSON.stringify(want) + ', ours ' + JSON.stringify(got));
  }
  return 1;
}

test('a trial of PHQ-9 and GAD-7: enrol 40, baseline by links and import, extend the list, ' +
  'post by links, analysis agrees with R', async ({ browser }, testInfo) => {
  test.setTimeout(6 * 60 * 1000);
  expect(binary, 'run.sh exports BALINT_TRIAL_BINARY').toBeTruthy();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'balint-wellbeing-'));
  const db = path.join(dir, 'wellbeing.db');
  const pre = readCsv(path.join(data, 'pre.csv'));
  const post = readCsv(path.join(data, 'post.csv'));
  const people = readCsv(path.join(data, 'participants.csv'));
  const codes = people.map((p) => p.code);
  let running = null;
  // The participants' phones: no cookie, no account; a page of its own per link.
  const phones = await browser.newContext(phone);
  try {
    // The example trial, planning 32; its questionnaire files next to it.
    const config = JSON.parse(
      fs.readFileSync(path.join(repo, 'docs', 'examples', 'wellbeing-study.json'), 'utf8'));
    config.planned_participants = expected.planned_participants;
    fs.cpSync(path.join(repo, 'docs', 'examples', 'instruments'), path.join(dir, 'instruments'),
      { recursive: true });
    fs.writeFileSync(path.join(dir, 'trial.json'), JSON.stringify(config));
    const init = cli(['init', '--db', db, '--config', path.join(dir, 'trial.json'),
      '--seed', String(expected.list_seed)]);
    expect(init.stdout).toContain('instruments: phq-9, gad-7, satisfaction');

    // 40 enrolled with consent dates: beyond the plan of 32, so confirmed after the warning.
    const roster = path.join(data, 'participants.csv');
    const warned = cli(['participant', 'import', '--db', db, '--csv', roster], 2);
    expect(warned.stderr).toContain('the trial planned 32 participants');
    expect(warned.stderr).toContain('--beyond-plan');
    cli(['participant', 'import', '--db', db, '--csv', roster, '--beyond-plan']);
    const enrolled = JSON.parse(cli(['participant', 'list', '--db', db, '--format', 'json']).stdout);
    const consent = Object.fromEntries(
      enrolled.map((p) => [p.code, p.consent_date]));
    expect(consent).toEqual(Object.fromEntries(people.map((p) => [p.code, p.consent_date])));

    running = await serve(db, testInfo.outputPath('serve.log'));

    // Baseline: W01-W20 on their phones through links, W21-W40 imported.
    const first = codes.slice(0, 20);
    cli(['survey', 'links', '--db', db, '--timepoint', 'pre', '--participant', first.join(','),
      '--base-url', running.url, '--out', path.join(dir, 'pre-links')]);
    const preLinks = readCsv(path.join(dir, 'pre-links.csv'));
    expect(preLinks.map((l) => l.participant)).toEqual(first);
    for (const link of preLinks) await answerLink(phones, link, pre);
    const imported = pre.filter((a) => !first.includes(a.participant));
    fs.writeFileSync(path.join(dir, 'pre-imported.csv'),
      'participant,timepoint,instrument,item,value\n' +
      imported.map((a) => [a.participant, a.timepoint, a.instrument, a.item, a.value].join(','))
        .join('\n') + '\n');
    const imports = cli(['outcome', 'import', '--db', db, '--csv',
      path.join(dir, 'pre-imported.csv')]);
    expect(imports.stdout).toContain('Imported 40 questionnaires (320 item answers) ' +
      'for 20 participants');
    const preStatus = JSON.parse(cli(['survey', 'status', '--db', db, '--timepoint', 'pre',
      '--format', 'json']).stdout);
    expect(preStatus.counts.submitted).toBe(20);

    // The list of 32 runs out; two blocks more from a new recorded seed; the rest randomized.
    const firstRound = cli(['randomize', '--db', db, '--all-eligible']);
    expect(firstRound.stdout).toContain('Randomized 32 participants.');
    expect(firstRound.stdout).toContain('Skipped 8');
    expect(firstRound.stdout).toContain('used up');
    cli(['randomization', 'extend', '--db', db, '--blocks', String(expected.extension.blocks),
      '--seed', String(expected.extension.seed),
      '--reason', 'recruited 40 residents where 32 were planned']);
    expect(cli(['randomize', '--db', db, '--all-eligible']).stdout)
      .toContain('Randomized 8 participants.');
    cli(['randomization', 'verify', '--db', db]);
    cli(['export', '--db', db, '--format', 'csv', '--out', path.join(dir, 'export')]);
    const arms = Object.fromEntries(
      readCsv(path.join(dir, 'export', 'wide.csv')).map((r) => [r.id, r.arm]));
    expect(arms, 'the arms make_golden.py computes').toEqual(expected.allocation);

    // After the programme: everyone answers PHQ-9 and GAD-7 through a link.
    cli(['survey', 'links', '--db', db, '--timepoint', 'post', '--base-url', running.url,
      '--out', path.join(dir, 'post-links')]);
    const postLinks = readCsv(path.join(dir, 'post-links.csv'));
    expect(postLinks.map((l) => l.participant).sort()).toEqual([...codes].sort());
    for (const link of postLinks) await answerLink(phones, link, post);

    // The audit trail names the participant as the one who answered.
    const log = cli(['audit', 'log', '--db', db]).stdout;
    expect(log).toContain('participant W01 (survey link)');

    // The analysis of the change scores, value by value against R.
    const ours = JSON.parse(cli(['analyze', '--db', db, '--format', 'json']).stdout);
    const failures = [];
    const checked = compareWithR(expected.analysis, ours, '$', failures);
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(150);
    expect(ours.outcomes.phq9.change_test.student.diff)
      .toBeCloseTo(expected.analysis.outcomes.phq9.change_test.student.diff, 6);
  } finally {
    await phones.close();
    if (running) {
      const exit = await stop(running.server);
      expect(exit, 'serve stops cleanly on SIGTERM').toEqual({ code: 0, signal: null });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
