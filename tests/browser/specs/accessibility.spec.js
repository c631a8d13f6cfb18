// Accessibility of every role's page, checked in the page itself (no third-party checker):
// each form control and button has an accessible name, text contrast is at least 4.5:1 (WCAG
// 2.1 AA; 3:1 for large text), the document has a language and one h1, and at 360 px nothing
// scrolls sideways.
'use strict';

const { test, expect, signIn, pageWidth } = require('./fixtures');

/** Runs in the page: what fails the checks, in words. */
function auditPage() {
  const problems = [];
  const visible = (e) => {
    const s = getComputedStyle(e);
    const r = e.getBoundingClientRect();
    return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0;
  };
  const describe = (e) =>
    e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[name=' + e.name + ']' : '');

  // Names: <label for>, a wrapping <label>, aria-label or aria-labelledby; buttons by their text.
  for (const e of document.querySelectorAll('input, select, textarea')) {
    if (e.type === 'hidden' || !visible(e)) continue;
    const named = (e.labels && e.labels.length > 0 && [...e.labels].some((l) => l.textContent.trim())) ||
      (e.getAttribute('aria-label') || '').trim() ||
      (e.getAttribute('aria-labelledby') || '').split(/\s+/).some((id) => {
        const l = id && document.getElementById(id);
        return l && l.textContent.trim();
      });
    if (!named) problems.push('no label: ' + describe(e));
  }
  for (const e of document.querySelectorAll('button, a[href]')) {
    if (!visible(e)) continue;
    const name = (e.getAttribute('aria-label') || e.textContent || e.title || '').trim();
    if (!name) problems.push('no name: ' + describe(e));
  }

  // Contrast of every visible text node's element against the first opaque background behind it.
  const rgba = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(',').map((x) => parseFloat(x));
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const luminance = (c) => {
    const ch = [c.r, c.g, c.b].map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const background = (e) => {
    for (let n = e; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c && c.a >= 0.99) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const e = t.parentElement;
    if (!t.textContent.trim() || !e || seen.has(e) || !visible(e)) continue;
    if (e.closest('svg')) continue;  // plot labels are checked by eye (their fills are set)
    seen.add(e);
    const s = getComputedStyle(e);
    const fg = rgba(s.color);
    if (!fg) continue;
    const bg = background(e);
    const l1 = luminance(fg);
    const l2 = luminance(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(s.fontWeight, 10) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      problems.push('contrast ' + ratio.toFixed(2) + ':1 for "' + t.textContent.trim().slice(0, 40) +
        '" (' + s.color + ' on rgb(' + [bg.r, bg.g, bg.b].join(', ') + '))');
    }
  }

  if (!document.documentElement.lang) problems.push('no lang on <html>');
  const h1 = [...document.querySelectorAll('h1')].filter(visible);
  if (h1.length !== 1) problems.push(h1.length + ' visible h1 elements (want 1)');
  if (!document.title.trim()) problems.push('no <title>');
  return problems;
}

const pages = [
  { user: null, path: '/' },
  { user: 'coordinator', path: '/coordinator.html' },
  { user: 'leader-a', path: '/leader.html' },
  { user: 'analyst', path: '/analyst.html' },
  { user: 'admin', path: '/admin.html' },
];

for (const width of [1280, 360]) {
  for (const p of pages) {
    test(`${p.path} at ${width} px: named controls, contrast, language, no sideways scroll`, async ({ page }) => {
      await page.setViewportSize({ width: width, height: 800 });
      if (p.user) {
        await signIn(page, p.user);
      } else {
        await page.goto(p.path);
      }
      // Wait until the page has shown its data (the status region stops saying "Loading").
      await page.waitForLoadState('networkidle');
      expect(await page.evaluate(auditPage)).toEqual([]);
      expect(await pageWidth(page)).toBeLessThanOrEqual(width);
    });
  }
}

test('the checks can fail: an unlabelled field and grey-on-white text are reported', async ({ page }) => {
  await page.setContent('<!DOCTYPE html><html><head><title>t</title></head><body><h1>x</h1>' +
    '<input id="nameless"><p style="color: rgb(170, 170, 170)">faint words</p></body></html>');
  const problems = await page.evaluate(auditPage);
  expect(problems).toContain('no label: input#nameless');
  expect(problems.some((p) => p.startsWith('contrast 2.32:1 for "faint words"'))).toBe(true);
  expect(problems).toContain('no lang on <html>');
});
