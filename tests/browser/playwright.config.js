// Playwright configuration for the balint-trial browser tests. run.sh starts the server on a
// demo database and exports BALINT_BASE_URL; artifacts go to BALINT_BROWSER_ARTIFACTS (inside
// the build directory), never into the source tree.
'use strict';

const path = require('path');
const { defineConfig } = require('@playwright/test');

const artifacts = process.env.BALINT_BROWSER_ARTIFACTS ||
  path.join(__dirname, '..', '..', 'build', 'browser-artifacts');

module.exports = defineConfig({
  testDir: path.join(__dirname, 'specs'),
  outputDir: path.join(artifacts, 'test-results'),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 60000,
  expect: { timeout: 10000 },
  reporter: 'list',
  use: {
    baseURL: process.env.BALINT_BASE_URL || 'http://127.0.0.1:8080',
    headless: true,
    viewport: { width: 1280, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.BALINT_CHROMIUM || '/usr/lib/chromium/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
  },
});
