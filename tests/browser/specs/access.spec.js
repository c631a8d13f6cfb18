// Signing in and access: a wrong password, a page of another role, keyboard-only sign-in, and
// the admin's page (users, audit trail).
'use strict';

const { test, expect, signIn, signInByApi, apiGet, snap, pageWidth } = require('./fixtures');

test('a wrong password is refused with the server\'s message', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await page.getByLabel('User name').fill('analyst');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const status = page.getByRole('status');
  await expect(status).toContainText('Not done: unknown user, disabled user or wrong password');
  await expect(status).toHaveClass(/error/);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByLabel('Password')).toBeFocused();
  await expect(page.getByLabel('Password')).toHaveValue('');
  expect((await page.request.get('/api/me')).status()).toBe(401);
});

test('a page is closed to the other roles: the server\'s refusal is shown, not data', async ({ page }) => {
  await signInByApi(page, 'leader-a');
  const refusal = await page.request.get('/api/participants');
  expect(refusal.status()).toBe(403);
  const words = (await refusal.json()).error.message;
  await page.goto('/coordinator.html');
  await expect(page.locator('#page-status')).toContainText(words);
  await expect(page.locator('#role-notice')).toContainText('This page is for the trial coordinator.');
  await expect(page.getByRole('link', { name: 'Go to your page' })).toHaveAttribute('href', '/leader.html');
  await expect(page.locator('#participants tbody tr')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Randomize/ })).toHaveCount(0);
  await expect(page.locator('#progress')).toBeEmpty();

  // Not signed in at all: every page sends you to the sign-in page.
  await page.request.post('/api/logout', { headers: { 'X-CSRF-Token': (await (await page.request.get('/api/me')).json()).csrf_token } });
  await page.goto('/analyst.html');
  await page.waitForURL(/\/\?session=ended$/);
  await expect(page.getByRole('status')).toContainText('sign in to continue');
});

test('keyboard only: sign in with Tab and Enter, then the admin page', async ({ page }) => {
  await page.goto('/');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to the sign-in form' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('User name')).toBeFocused();
  await page.keyboard.type('admin');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Password')).toBeFocused();
  await page.keyboard.type('demo-admin-password');
  // A visible focus outline on the focused field.
  const outline = await page.getByLabel('Password').evaluate((e) => getComputedStyle(e).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/admin\.html\?trial=/);

  // Users, as the server lists them.
  const users = await apiGet(page, '/api/users');
  const rows = page.locator('#users tbody tr');
  await expect(rows).toHaveCount(users.length);
  for (const name of ['admin', 'coordinator', 'leader-a', 'analyst']) {
    await expect(page.locator('#users tbody tr[data-user="' + name + '"]')).toBeVisible();
  }
  await expect(page.locator('#users tbody tr[data-user="leader-a"]')).toContainText('group leader');

  // Verify the audit trail, by keyboard too.
  await page.getByRole('button', { name: 'Verify audit trail' }).focus();
  await page.keyboard.press('Enter');
  const audit = page.locator('#audit-status');
  await expect(audit).toContainText(/The audit trail is intact: \d+ entries/);
  const verified = await apiGet(page, '/api/audit/verify');
  expect(verified.ok).toBe(true);
  await expect(audit).toContainText(verified.head_hash.slice(0, 16));

  // Add a user; a too-short password is refused in the server's words.
  const added = page.locator('#add-user-status');
  await page.getByLabel('User name').fill('leader-c');
  await page.getByLabel('Role').selectOption('leader');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(added).toHaveClass(/error/);
  await expect(added).toContainText('12 are needed');
  await page.getByLabel('Password').fill('leader-c-password-2016');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(added).toContainText('Added leader-c as group leader.');
  await expect(page.locator('#users tbody tr[data-user="leader-c"]')).toContainText('Active');
  expect((await apiGet(page, '/api/users')).some((u) => u.name === 'leader-c' && u.role === 'leader')).toBe(true);

  // Disable them, after a confirmation; they can no longer sign in.
  await page.getByRole('button', { name: 'Disable leader-c' }).click();
  await page.getByRole('button', { name: 'Confirm disabling leader-c' }).click();
  await expect(page.locator('#users-status')).toContainText('leader-c is disabled.');
  await expect(page.locator('#users tbody tr[data-user="leader-c"]')).toContainText('Disabled');
  const disabled = (await apiGet(page, '/api/users')).find((u) => u.name === 'leader-c');
  expect(disabled.disabled_at).toBeTruthy();
  await expect(page.getByRole('button', { name: 'Disable admin' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Verify audit trail' }).click();
  await expect(audit).toContainText(/The audit trail is intact/);

  await page.setViewportSize({ width: 360, height: 740 });
  expect(await pageWidth(page)).toBeLessThanOrEqual(360);
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.evaluate(() => window.scrollTo(0, 0));
  await snap(page, 'admin.png');
});
