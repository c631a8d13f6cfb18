// A participant answers their post questionnaires through a survey link on a phone (issue 14,
// part 3): no account, answers saved and resumed, submitted once, then the link is spent. The
// coordinator sees the link submitted on their page. No horizontal scrolling at 360 px.
'use strict';

const { test, expect, signInByApi, apiWrite, snap, pageWidth } = require('./fixtures');

test.use({ viewport: { width: 360, height: 740 }, hasTouch: true, isMobile: true });

/** Picks `value` for item `item` of `instrument`. */
async function answer(page, instrument, item, value) {
  await page.locator('fieldset[data-instrument="' + instrument + '"][data-item="' + item +
    '"] input[value="' + value + '"]').check();
}

test('a participant answers through a link: save, reload, submit, thanks, then the link is spent',
  async ({ page, browser }) => {
    // The coordinator gives T35 (no post questionnaires in the demo) a link.
    await signInByApi(page, 'coordinator');
    const r = await apiWrite(page, 'POST', '/api/survey-links/T35/reissue',
      { timepoint: 'post', reason: 'browser test: a link for the post questionnaires' });
    expect(r.status()).toBe(201);
    const link = await r.json();
    expect(link.path).toMatch(/^\/s\/[0-9a-f]{32}$/);
    expect(link.instruments).toEqual(['mbi-hss', 'msq']);

    // The participant's phone: a browser of its own, no cookie, no account.
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 },
      hasTouch: true, isMobile: true, baseURL: process.env.BALINT_BASE_URL });
    const p = await phone.newPage();
    const problems = [];
    p.on('pageerror', (e) => problems.push(e.message));
    await p.goto(link.path);
    await expect(p.getByRole('heading', { name: 'Questionnaire', exact: true })).toBeVisible();
    await expect(p.locator('fieldset.item')).toHaveCount(42);
    await expect(p.locator('legend').first()).toContainText('Item 1');
    await expect(p.locator('legend .required').first()).toHaveText('*');
    const body = await p.locator('body').innerText();
    for (const word of ['intervention', 'waitlist', 'Intervention', 'Waitlist', 'arm']) {
      expect(body).not.toContain(word);
    }
    expect(await pageWidth(p)).toBeLessThanOrEqual(360);

    // Half of MBI-HSS, then Save; after a reload the answers are back.
    for (let item = 1; item <= 11; item++) await answer(p, 'mbi-hss', item, item % 7);
    await p.getByRole('button', { name: 'Save' }).click();
    await expect(p.locator('#survey-status')).toContainText('saved');
    await p.reload();
    await expect(p.locator('fieldset.item')).toHaveCount(42);
    for (let item = 1; item <= 11; item++) {
      await expect(p.locator('fieldset[data-instrument="mbi-hss"][data-item="' + item +
        '"] input[value="' + (item % 7) + '"]')).toBeChecked();
    }
    await expect(p.locator('fieldset[data-instrument="mbi-hss"][data-item="12"] input:checked'))
      .toHaveCount(0);

    // Submitting with answers missing is stopped on the page, naming how many are left.
    await p.getByRole('button', { name: 'Submit' }).click();
    await expect(p.locator('#survey-status')).toContainText('31 left');
    await expect(p.locator('fieldset.missing')).toHaveCount(31);

    for (let item = 12; item <= 22; item++) await answer(p, 'mbi-hss', item, 2);
    for (let item = 1; item <= 20; item++) await answer(p, 'msq', item, 4);
    await snap(p, 'survey-phone.png');
    await p.getByRole('button', { name: 'Submit' }).click();
    await expect(p.getByRole('heading', { name: 'Thank you' })).toBeVisible();
    expect(await pageWidth(p)).toBeLessThanOrEqual(360);

    // The same link now shows the page every unusable link shows.
    const again = await p.goto(link.path);
    expect(again.status()).toBe(404);
    await expect(p.getByRole('heading', { name: 'This link is not available' })).toBeVisible();
    expect(await pageWidth(p)).toBeLessThanOrEqual(360);
    expect(problems).toEqual([]);
    await phone.close();

    // The coordinator's page shows the link submitted.
    await page.goto('/coordinator.html');
    await page.locator('#survey-timepoint').selectOption('post');
    const row = page.locator('#survey-links tr', { has: page.locator('th', { hasText: 'T35' }) });
    await expect(row).toContainText('submitted');
  });
