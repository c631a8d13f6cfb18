// A site admin starts a second trial from the sign-in page (issue 13): the same checks as
// `trial create --config`, every refusal shown in the page in the server's words, and the new
// trial listed at once with the admin's role in it. run.sh serves a site (a directory) holding
// one trial, tongji-2020, and the account site-admin, which has no role in it.
'use strict';

const path = require('path');
const { test } = require('./fixtures');
const { expect } = require('@playwright/test');

const example = path.join(__dirname, '..', '..', '..', 'docs', 'examples', 'ward-study.json');

test.use({ baseURL: process.env.BALINT_SITE_URL });

/** Signs in on the site's sign-in page (run.sh serves the site; skipped without it). */
async function signInAtSite(page, user, password) {
  test.skip(!process.env.BALINT_SITE_URL, 'run.sh serves the site');
  await page.goto('/');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a site admin starts a trial from its definition file; refusals say why', async ({ page }) => {
  await signInAtSite(page, 'site-admin', 'site-admin-password');

  const list = page.locator('#trial-list');
  await expect(list).toContainText('tongji-2020');
  await expect(list).toContainText('no role for you yet');
  const form = page.getByRole('region', { name: 'Start a new trial' });
  await expect(form).toBeVisible();
  const status = page.locator('#new-trial-status');
  const definition = page.getByLabel('Definition (filled in from the file, or pasted)');
  const create = page.getByRole('button', { name: 'Create the trial' });

  // Not JSON: refused in the page, nothing sent.
  await definition.fill('{"id": "broken"');
  await create.click();
  await expect(status).toContainText('the definition is not JSON');

  // JSON that breaks the trial schema: the server names the field.
  await definition.fill('{"id": "Bad Id!", "title": "x"}');
  await create.click();
  await expect(status).toContainText('Not done:');
  await expect(status).toContainText('id');
  await expect(list).not.toContainText('Bad Id!');

  // The example definition, chosen as a file: read into the box, then created.
  await page.getByLabel('Definition file (.json)').setInputFiles(example);
  await expect(definition).toHaveValue(/"id": "ward-study"/);
  await create.click();
  await expect(status).toContainText('Created');
  await expect(status).toContainText('(ward-study)');
  await expect(status).toContainText('commitment');
  const link = list.getByRole('link', { name: /ward/i });
  await expect(link).toBeVisible();
  await expect(list).toContainText('ward-study): you are');

  // The same id again: refused, the existing trial untouched.
  await page.getByLabel('Definition file (.json)').setInputFiles(example);
  await create.click();
  await expect(status).toContainText('already holds a trial "ward-study"');
  await expect(list.getByRole('link', { name: /ward/i })).toHaveCount(1);

  // The new trial's admin page opens from the list; there the admin gives the site account
  // lee (a coordinator of nothing yet) a role in this trial: no password asked.
  await link.click();
  await page.waitForURL(/\/admin\.html\?trial=ward-study$/);
  await expect(page.getByRole('heading', { name: 'Give an account a role in this trial' }))
    .toBeVisible();
  await expect(page.getByLabel('Password')).toBeHidden();
  await page.getByLabel('User name').fill('nobody');
  await page.getByRole('button', { name: 'Give the role' }).click();
  await expect(page.locator('#add-user-status')).toContainText('no account "nobody"');
  await page.getByLabel('User name').fill('lee');
  await page.getByLabel('Role', { exact: true }).selectOption('coordinator');
  await page.getByRole('button', { name: 'Give the role' }).click();
  await expect(page.locator('#add-user-status')).toContainText('Gave lee the role');
  await expect(page.locator('#users tr[data-user="lee"]')).toContainText('coordinator');
});

test('an account with a role in one trial of the site goes straight to its page', async ({ page }) => {
  // Runs after the test above gave lee the coordinator role in ward-study (workers: 1).
  await signInAtSite(page, 'lee', 'site-coordinator-password');
  await page.waitForURL(/\/coordinator\.html\?trial=ward-study$/);
});
