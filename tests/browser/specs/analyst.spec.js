// The analyst: the analysis as tables and a plot, the per-protocol toggle, the export and the
// reproduction report; and no way to change anything.
'use strict';

const fs = require('fs');
const { test, expect, signIn, apiGet, apiWrite, snap, pageWidth } = require('./fixtures');

test('an analyst reads the analysis, downloads the export and opens the reproduction report', async ({ page }) => {
  await signIn(page, 'analyst');
  const itt = await apiGet(page, '/api/analysis');
  const trial = await apiGet(page, '/api/trial');

  // The tables, with the outcomes by name and the numbers the server computed.
  const change = page.locator('#table-change');
  for (const name of ['Emotional exhaustion', 'Depersonalization', 'Personal accomplishment', 'Job satisfaction']) {
    await expect(change.getByRole('rowheader', { name: new RegExp('^' + name) })).toBeVisible();
    await expect(page.locator('#table-before-after').getByRole('rowheader', { name: new RegExp('^' + name) }))
      .toBeVisible();
  }
  for (const arm of trial.arms) {
    await expect(page.locator('#table-n').getByRole('row', { name: arm.label }))
      .toContainText(String(itt.n[arm.id]));
  }
  const ee = itt.outcomes.ee;
  const fmt = (x) => x.toFixed(2).replace('-', '−');
  await expect(change.getByRole('row', { name: /^Emotional exhaustion/ }))
    .toContainText(fmt(ee.change.intervention.mean) + ' ± ' + fmt(ee.change.intervention.sd));
  await expect(change.getByRole('row', { name: /^Emotional exhaustion/ }))
    .toContainText(fmt(ee.change_test.student.diff) + ' [' + fmt(ee.change_test.student.ci_low) + ', ');
  await expect(page.locator('#population-summary')).toContainText('intention to treat');

  // The plot: inline SVG, one marker per arm and outcome, described for screen readers.
  const plot = page.locator('svg#change-plot');
  await expect(plot).toBeVisible();
  await expect(plot).toHaveAttribute('role', 'img');
  await expect(plot.locator('circle')).toHaveCount(4);
  await expect(plot.locator('rect')).toHaveCount(4);
  await expect(plot.locator('desc')).toContainText('Emotional exhaustion (EE), Balint group: ' + fmt(ee.change.intervention.mean));

  // Per-protocol: the page asks for it and shows the server's population, or its refusal
  // (when no intervention participant has attended the required sessions yet).
  const ppAnswer = await page.request.get('/api/analysis?population=per-protocol');
  await page.getByLabel(/Per-protocol population/).check();
  await expect(page.locator('#population-summary')).toContainText('Population: per-protocol');
  if (ppAnswer.status() === 200) {
    const pp = await ppAnswer.json();
    expect(pp.population).toBe('per-protocol');
    for (const arm of trial.arms) {
      await expect(page.locator('#table-n').getByRole('row', { name: arm.label })).toContainText(String(pp.n[arm.id]));
    }
    await expect(page.getByRole('status').filter({ hasText: 'Showing the per-protocol analysis.' })).toBeVisible();
  } else {
    const refusal = (await ppAnswer.json()).error.message;
    await expect(page.locator('#page-status')).toContainText(refusal);
    await expect(page.locator('#table-change')).toHaveCount(0);
    await expect(plot).toHaveCount(0);
  }
  await page.getByLabel(/Per-protocol population/).uncheck();
  await expect(page.locator('#population-summary')).toContainText('intention to treat');
  await expect(change.getByRole('rowheader', { name: /^Emotional exhaustion/ })).toBeVisible();
  await expect(plot.locator('circle')).toHaveCount(4);

  // The export: every file `export` writes, each a CSV download with its own header.
  const download = async (name) => {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#export-files').getByRole('link', { name: name, exact: true }).click(),
    ]);
    expect(file.suggestedFilename()).toBe(name);
    return fs.readFileSync(await file.path(), 'utf8');
  };
  const csv = await download('wide.csv');
  expect(csv.split('\n')[0]).toMatch(/^id,arm,age,gender,ee_pre,ee_post,dp_pre,dp_post,pa_pre,pa_post,msq_pre,msq_post/);
  expect(csv.split('\n').filter((l) => l).length).toBeGreaterThan(30);
  expect((await download('participants.csv')).split('\n')[0])
    .toBe('id,arm,consent_date,randomized_on,status,withdrawal_date,withdrawal_category');
  expect((await download('assessments.csv')).split('\n')[0])
    .toMatch(/^participant,timepoint,instrument,assessment_date,window/);
  expect(await download('items.csv')).toMatch(/^participant,timepoint,instrument,item,value/);
  expect(await download('codebook.csv')).toMatch(/^variable,/);
  expect((await page.request.get('/api/export/secrets.csv')).status()).toBe(404);

  // The reproduction report of the Tongji paper.
  const link = page.getByRole('link', { name: 'Reproduction report of the Tongji paper' });
  const report = await page.request.get(await link.getAttribute('href'));
  expect(report.status()).toBe(200);
  expect(report.headers()['content-type']).toMatch(/^text\/html/);
  expect(await report.text()).toContain('<html');

  // Nothing to change here: no form controls but the toggle, no buttons but sign-out, and the
  // server refuses an analyst's write anyway.
  await expect(page.getByRole('button')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.locator('input:not([type=checkbox]), select, textarea')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Randomize|Withdraw|Enrol|Record|Import/ })).toHaveCount(0);
  const write = await apiWrite(page, 'POST', '/api/participants/T34/randomize');
  expect(write.status()).toBe(403);

  await page.setViewportSize({ width: 360, height: 740 });
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.evaluate(() => window.scrollTo(0, 0));
  await snap(page, 'analyst-analysis.png');
});
