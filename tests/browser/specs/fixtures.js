// Shared by the specs: a `page` that fails the test on any script error or CSP violation,
// sign-in helpers, the CSRF-carrying API helper and screenshots (test artifacts, and with
// BALINT_UPDATE_DOC_SCREENSHOTS=1 also the images of the role guides in docs/images/).
'use strict';

const fs = require('fs');
const path = require('path');
const base = require('@playwright/test');

const artifacts = process.env.BALINT_BROWSER_ARTIFACTS ||
  path.join(__dirname, '..', '..', '..', 'build', 'browser-artifacts');
const docsImages = path.join(__dirname, '..', '..', '..', 'docs', 'images');

const users = {
  admin: 'demo-admin-password',
  coordinator: 'demo-coordinator-password',
  'leader-a': 'demo-leader-password',
  analyst: 'demo-analyst-password',
};

const homes = {
  admin: '/admin.html',
  coordinator: '/coordinator.html',
  'leader-a': '/leader.html',
  analyst: '/analyst.html',
};

const test = base.test.extend({
  page: async ({ page }, use) => {
    const problems = [];
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('console', (m) => {
      // A refused request (401/403/409) is logged by the browser; the pages show those.
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) {
        problems.push('console error: ' + m.text());
      }
    });
    await use(page);
    base.expect(problems, 'no script errors and no CSP violations').toEqual([]);
  },
});

/** Signs in through the sign-in page and waits for the role's page. */
async function signIn(page, user) {
  await page.goto('/');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(users[user]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The role's page in the demo's one trial, which the sign-in page opens by its id.
  await page.waitForURL(new RegExp(homes[user].replace('.', '\\.') + '\\?trial=tongji-2020-demo$'));
}

/** Signs in through the API only (the page's context keeps the cookie). */
async function signInByApi(page, user) {
  const r = await page.request.post('/api/login', { data: { user: user, password: users[user] } });
  base.expect(r.status()).toBe(200);
  return r.json();
}

/** A write through the API with the session's CSRF token, as the pages send it. */
async function apiWrite(page, method, url, data) {
  const me = await (await page.request.get('/api/me')).json();
  return page.request.fetch(url, {
    method: method,
    headers: { 'X-CSRF-Token': me.csrf_token },
    data: data,
  });
}

async function apiGet(page, url) {
  const r = await page.request.get(url);
  base.expect(r.status(), 'GET ' + url).toBe(200);
  return r.json();
}

/** Full-page PNG into the test artifacts; with BALINT_UPDATE_DOC_SCREENSHOTS=1 also a
 *  viewport-sized PNG into docs/images/ (kept small for the repository). */
async function snap(page, name) {
  const dir = path.join(artifacts, 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, name), fullPage: true });
  if (process.env.BALINT_UPDATE_DOC_SCREENSHOTS === '1') {
    fs.mkdirSync(docsImages, { recursive: true });
    await page.screenshot({ path: path.join(docsImages, name) });
  }
}

/** No horizontal scrolling: the page is not wider than the viewport. */
async function pageWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

module.exports = { test, expect: base.expect, users, signIn, signInByApi, apiWrite, apiGet, snap, pageWidth };
