// The coordinator: enrolment progress, enrol (and a refusal in the server's words), baseline
// questionnaires, randomize with a confirmation, withdraw with a reason, CSV import.
'use strict';

const { test, expect, signIn, apiGet, apiWrite, snap, pageWidth } = require('./fixtures');

const mbi = '2,6,3,1,4,3,4,2,5,3,1,4,3,2,3,2,4,5,4,3,5,1';
const msq = '3,3,4,3,3,3,4,3,3,3,3,3,4,3,3,3,3,3,3,3';

test('a coordinator enrols, randomizes and withdraws participants', async ({ page }) => {
  await signIn(page, 'coordinator');
  const trial = await apiGet(page, '/api/trial');
  const armLabels = trial.arms.map((a) => a.label);
  const before = await apiGet(page, '/api/participants');
  const table = page.locator('#participants');
  const row = (code) => table.locator('tbody tr[data-code="' + code + '"]');

  // Enrolment progress as the server counts it.
  const figure = (name) => page.locator('#progress-figures div')
    .filter({ has: page.getByText(name, { exact: true }) }).locator('dd');
  await expect(figure('Enrolled')).toHaveText(before.length + ' of ' + trial.planned_participants + ' planned');
  const waiting = before.filter((p) => p.status !== 'withdrawn' && !p.allocation && p.baseline.complete);
  expect(waiting.map((p) => p.code)).toContain('T33');
  await expect(figure('Waiting for randomization')).toHaveText(String(waiting.length));
  for (const arm of trial.arms) {
    const n = before.filter((p) => p.allocation && p.allocation.arm === arm.id).length;
    await expect(figure('Randomized: ' + arm.label)).toHaveText(String(n));
  }
  await expect(table.locator('tbody tr')).toHaveCount(before.length);

  // T33 waits: baseline complete, no allocation shown, a Randomize button.
  await expect(row('T33')).toContainText('Complete');
  await expect(row('T33')).toContainText('Not randomized');
  for (const label of armLabels) await expect(row('T33')).not.toContainText(label);
  await expect(page.getByRole('button', { name: 'Randomize T33' })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Randomize T0/ })).toHaveCount(0);

  // Enrol T40: listed with its baseline missing and no Randomize button.
  await page.getByLabel('Participant code').fill('T40');
  await page.getByLabel('Age (years)').fill('24');
  await page.getByLabel('Gender').selectOption('F');
  await page.getByLabel('Workday evening').check();
  await page.getByLabel('Written informed consent has been given').check();
  // The demo has its planned 36: the page asks before enrolling beyond the plan, every time.
  const questions = [];
  page.on('dialog', (dialog) => {
    questions.push(dialog.message());
    dialog.accept();
  });
  await page.getByRole('button', { name: 'Enrol participant' }).click();
  const enrolStatus = page.locator('#enrol-status');
  await expect(enrolStatus).toContainText('Enrolled participant T40.');
  expect(questions).toHaveLength(1);
  expect(questions[0]).toContain('goes beyond the plan');
  await expect(row('T40')).toContainText('Missing: MBI-HSS, MSQ');
  await expect(row('T40')).toContainText('Not randomized');
  await expect(page.getByRole('button', { name: 'Randomize T40' })).toHaveCount(0);
  const t40 = (await apiGet(page, '/api/participants')).find((p) => p.code === 'T40');
  expect(t40.baseline.complete).toBe(false);
  expect(t40.allocation).toBeNull();

  // The same code again: refused, and the page shows the server's own words.
  await page.getByLabel('Participant code').fill('T40');
  await page.getByLabel('Age (years)').fill('24');
  await page.getByLabel('Gender').selectOption('F');
  await page.getByLabel('Written informed consent has been given').check();
  await page.getByRole('button', { name: 'Enrol participant' }).click();
  const refusal = await apiWrite(page, 'POST', '/api/participants',
    { code: 'T40', age: '24', gender: 'F', consent: 'yes' });
  expect(refusal.status()).toBe(409);
  const serverWords = (await refusal.json()).error.message;
  expect(serverWords).toContain('T40');
  await expect(enrolStatus).toHaveClass(/error/);
  await expect(enrolStatus).toContainText(serverWords);
  await expect(table.locator('tbody tr[data-code="T40"]')).toHaveCount(1);

  // Without consent: refused too, nothing enrolled.
  await page.getByLabel('Participant code').fill('T42');
  await page.getByLabel('Age (years)').fill('25');
  await page.getByLabel('Gender').selectOption('M');
  await page.getByLabel('Written informed consent has been given').uncheck();
  await page.getByRole('button', { name: 'Enrol participant' }).click();
  await expect(enrolStatus).toHaveClass(/error/);
  await expect(enrolStatus).toContainText(/consent/i);
  await expect(row('T42')).toHaveCount(0);

  // The baseline questionnaires of T40: a wrong number of answers is refused, then both recorded.
  const outcomeStatus = page.locator('#outcome-status');
  await page.getByLabel('Participant', { exact: true }).selectOption('T40');
  await page.getByLabel('Time point').selectOption('pre');
  await page.getByLabel('Questionnaire', { exact: true }).selectOption('mbi-hss');
  // The hint says what this questionnaire takes, from the trial's own definition.
  await expect(page.locator('#outcome-items-hint')).toContainText('MBI-HSS: 22 answers, each 0 to 6');
  await page.getByLabel('Answers in item order').fill('1,2,3');
  await page.getByRole('button', { name: 'Record questionnaire' }).click();
  await expect(outcomeStatus).toHaveClass(/error/);
  await expect(outcomeStatus).toContainText('Not done:');
  await page.getByLabel('Answers in item order').fill(mbi);
  await page.getByRole('button', { name: 'Record questionnaire' }).click();
  await expect(outcomeStatus).toContainText('Recorded the MBI-HSS questionnaire of T40 at pre.');
  await expect(row('T40')).toContainText('Missing: MSQ');
  await page.getByLabel('Participant', { exact: true }).selectOption('T40');
  await page.getByLabel('Questionnaire', { exact: true }).selectOption('msq');
  await page.getByLabel('Answers in item order').fill(msq);
  await page.getByRole('button', { name: 'Record questionnaire' }).click();
  await expect(outcomeStatus).toContainText('Recorded the MSQ questionnaire of T40 at pre.');
  await expect(row('T40')).toContainText('Complete');
  await expect(page.getByRole('button', { name: 'Randomize T40' })).toBeVisible();

  // Randomize T33, after a confirmation; the arm appears, the button goes.
  await page.getByRole('button', { name: 'Randomize T33' }).click();
  await expect(row('T33')).toContainText('Randomize T33 now? The allocation is final.');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: 'Randomize T33' })).toBeFocused();
  expect((await apiGet(page, '/api/participants')).find((p) => p.code === 'T33').allocation).toBeNull();
  await page.getByRole('button', { name: 'Randomize T33' }).click();
  await page.getByRole('button', { name: 'Confirm randomization of T33' }).click();
  const tableStatus = page.locator('#participants-status');
  await expect(tableStatus).toContainText('T33 was randomized: allocated to ');
  const t33 = (await apiGet(page, '/api/participants')).find((p) => p.code === 'T33');
  expect(t33.allocation).not.toBeNull();
  const arm = trial.arms.find((a) => a.id === t33.allocation.arm).label;
  await expect(row('T33')).toContainText(arm);
  await expect(tableStatus).toContainText('allocated to ' + arm);
  await expect(page.getByRole('button', { name: 'Randomize T33' })).toHaveCount(0);
  // T33 left the waiting list, T40 (baseline now complete) joined it.
  await expect(figure('Waiting for randomization')).toHaveText(String(waiting.length));

  // Withdraw T36 with a reason.
  await page.getByRole('button', { name: 'Withdraw T36' }).click();
  await page.getByLabel('Reason for withdrawing T36').fill('moved to another hospital');
  await page.getByLabel('Category').selectOption('left-the-hospital');
  await page.getByRole('button', { name: 'Confirm withdrawal of T36' }).click();
  await expect(tableStatus).toContainText('T36 was withdrawn.');
  await expect(row('T36')).toContainText('Withdrawn');
  await expect(row('T36')).toContainText('moved to another hospital');
  await expect(row('T36')).toContainText('left-the-hospital');
  await expect(page.getByRole('button', { name: 'Randomize T36' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Withdraw T36' })).toHaveCount(0);
  const t36 = (await apiGet(page, '/api/participants')).find((p) => p.code === 'T36');
  expect(t36.status).toBe('withdrawn');
  expect(t36.withdrawal_reason).toBe('moved to another hospital');
  expect(t36.withdrawal_category).toBe('left-the-hospital');
  expect(t36.withdrawal_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  await expect(figure('Withdrawn')).toHaveText(String(before.filter((p) => p.status === 'withdrawn').length + 1));

  // Import a participant CSV.
  await page.getByLabel('Participant CSV file').setInputFiles({
    name: 'new-participants.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('code,age,gender,specialty,consent,balint_knowledge,balint_times,available\n' +
      'T41,25,M,surgery,yes,1,1,workday-evening\n'),
  });
  await page.getByRole('button', { name: 'Import participants' }).click();
  await expect(page.locator('#import-status')).toContainText('Enrolled 1 participants from new-participants.csv.');
  expect(questions).toHaveLength(2); // the import went beyond the plan too, and was confirmed
  await expect(row('T41')).toContainText('Missing: MBI-HSS, MSQ');
  const after = await apiGet(page, '/api/participants');
  expect(after.length).toBe(before.length + 2);
  await expect(table.locator('tbody tr')).toHaveCount(after.length);

  // 360 px: the table scrolls in its own box, the page does not.
  await page.setViewportSize({ width: 360, height: 740 });
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);
  await page.setViewportSize({ width: 1280, height: 900 });

  // The filter shows who waits for randomization: exactly the eligible participants.
  const eligibleNow = after.filter((p) => p.status !== 'withdrawn' && !p.allocation && p.baseline.complete);
  await page.getByLabel('Show', { exact: true }).selectOption('waiting');
  await expect(table.locator('tbody tr')).toHaveCount(eligibleNow.length);
  for (const p of eligibleNow) {
    await expect(page.getByRole('button', { name: 'Randomize ' + p.code })).toBeVisible();
  }
  await expect(page.locator('#participant-count'))
    .toHaveText('Showing ' + eligibleNow.length + ' of ' + after.length + ' participants.');
  await page.getByLabel('Show', { exact: true }).selectOption('withdrawn');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(row('T36')).toBeVisible();
  await page.getByLabel('Show', { exact: true }).selectOption('waiting');

  await page.evaluate(() => window.scrollTo(0, 0));
  await snap(page, 'coordinator-dashboard.png');
});
