// The group leader on a phone: today's session, one-tap attendance, a changed mark with its
// reason, the participants at risk, and no horizontal scrolling at 360 px.
'use strict';

const { test, expect, signIn, apiGet, apiWrite, snap, pageWidth } = require('./fixtures');

test.use({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

test('a leader marks attendance of today\'s session with one tap each', async ({ page }) => {
  await signIn(page, 'leader-a');

  // Today's session is the one whose local start date is the browser's date; before the demo's
  // first session of the day (a workday before 11:00) it is the latest that has started, which
  // the page shows without the word "today".
  const today = await page.evaluate(() => {
    const d = new Date();
    return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' +
      String(d.getDate()).padStart(2, '0');
  });
  const sessions = await apiGet(page, '/api/sessions');
  const started = sessions.filter((s) => Date.parse(s.start) <= Date.now());
  const todays = sessions.find((s) => s.start.slice(0, 10) === today) || started[started.length - 1];
  expect(todays, 'the demo has a session that has started').toBeTruthy();
  const isToday = todays.start.slice(0, 10) === today;
  await expect(page.getByRole('heading', {
    level: 2, name: (isToday ? "Today's session: " : '') + 'session ' + todays.number, exact: true,
  })).toBeVisible();
  await expect(page.getByLabel('Session', { exact: true })).toHaveValue(todays.cohort + '/' + todays.number);
  expect(todays.participants.length).toBeGreaterThanOrEqual(3);
  const [p1, p2, p3] = todays.participants;

  const group = (code) => page.getByRole('group', { name: code, exact: true });
  const mark = (code, name) => group(code).getByRole('button', { name: name, exact: true });
  await expect(page.getByRole('group')).toHaveCount(todays.participants.length);
  for (const code of [p1, p2, p3]) {
    await expect(mark(code, 'Present')).toHaveAttribute('aria-pressed', 'false');
  }

  // Big tap targets: every mark button is at least 44 px high and 44 px wide.
  for (const box of await Promise.all((await page.locator('.marks button').all()).map((b) => b.boundingBox()))) {
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(box.width).toBeGreaterThanOrEqual(44);
  }

  await mark(p1, 'Present').tap();
  await expect(mark(p1, 'Present')).toHaveAttribute('aria-pressed', 'true');
  await mark(p2, 'Absent').tap();
  await expect(mark(p2, 'Absent')).toHaveAttribute('aria-pressed', 'true');
  await mark(p3, 'Excused').tap();
  await expect(mark(p3, 'Excused')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('status').filter({ hasText: p3 + ' marked excused.' })).toBeVisible();
  await expect(mark(p3, 'Present')).toHaveAttribute('aria-pressed', 'false');

  // The marks are in the database: after a reload the page shows them again.
  await page.reload();
  await expect(mark(p1, 'Present')).toHaveAttribute('aria-pressed', 'true');
  await expect(mark(p2, 'Absent')).toHaveAttribute('aria-pressed', 'true');
  await expect(mark(p3, 'Excused')).toHaveAttribute('aria-pressed', 'true');
  await expect(mark(p2, 'Present')).toHaveAttribute('aria-pressed', 'false');
  const stored = await apiGet(page, '/api/sessions/' + todays.number + '?cohort=' + todays.cohort);
  const statusOf = (code) => stored.attendance.find((a) => a.participant === code).status;
  expect([statusOf(p1), statusOf(p2), statusOf(p3)]).toEqual(['present', 'absent', 'excused']);

  // Changing a mark asks for a reason in a small field on the page (no browser prompt).
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await mark(p2, 'Present').tap();
  const reason = page.getByLabel('Reason for changing ' + p2 + ' from absent to present');
  await expect(reason).toBeFocused();
  await page.getByRole('button', { name: 'Save change' }).tap();
  await expect(page.getByRole('status').filter({ hasText: 'Give a reason' })).toBeVisible();
  await expect(mark(p2, 'Absent')).toHaveAttribute('aria-pressed', 'true');
  await reason.fill('arrived late, after the roll call');
  await page.getByRole('button', { name: 'Save change' }).tap();
  await expect(mark(p2, 'Present')).toHaveAttribute('aria-pressed', 'true');
  await expect(mark(p2, 'Absent')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByRole('status').filter({ hasText: p2 + ' changed from absent to present.' }))
    .toBeVisible();
  expect(dialogs).toEqual([]);
  const changed = await apiGet(page, '/api/sessions/' + todays.number + '?cohort=' + todays.cohort);
  expect(changed.attendance.find((a) => a.participant === p2).status).toBe('present');

  // The server itself refuses a changed mark without a reason.
  const bare = await apiWrite(page, 'PUT', '/api/sessions/' + todays.number + '/attendance/' + p2 +
    '?cohort=' + todays.cohort, { status: 'absent' });
  expect(bare.status()).toBeGreaterThanOrEqual(400);

  // The participants at risk of not completing the programme, as the server counts them.
  const progress = await apiGet(page, '/api/attendance/progress');
  const risky = progress.filter((p) => /^(at.risk|cannot.complete)$/.test(p.status));
  expect(risky.length, 'the demo has participants at risk').toBeGreaterThan(0);
  const riskList = page.getByRole('region', { name: 'Participants at risk' }).getByRole('listitem');
  await expect(riskList).toHaveCount(risky.length);
  await expect(riskList.first()).toBeVisible();
  await expect(riskList.filter({ hasText: risky[0].participant })).toHaveCount(1);

  // 360 px: nothing scrolls sideways.
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);

  // Another session can be chosen; the marks shown are that session's.
  const other = sessions.find((s) => s.status === 'held');
  if (other) {
    await page.getByLabel('Session', { exact: true }).selectOption(other.cohort + '/' + other.number);
    await expect(page.getByRole('heading', { level: 2, name: 'session ' + other.number, exact: false })).toBeVisible();
    const held = await apiGet(page, '/api/sessions/' + other.number + '?cohort=' + other.cohort);
    const first = held.attendance.find((a) => a.status);
    if (first) {
      const name = first.status[0].toUpperCase() + first.status.slice(1);
      await expect(mark(first.participant, name)).toHaveAttribute('aria-pressed', 'true');
    }
    await page.getByLabel('Session', { exact: true }).selectOption(todays.cohort + '/' + todays.number);
    await expect(mark(p1, 'Present')).toHaveAttribute('aria-pressed', 'true');
  }
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);

  await page.evaluate(() => window.scrollTo(0, 0));
  await snap(page, 'leader-phone.png');
});
