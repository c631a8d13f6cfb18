// The analyst's page: GET /api/analysis as readable tables, a plot of the mean change per arm
// with 95% CIs (inline SVG built through the DOM, which the CSP allows), the per-protocol
// toggle, and links to the export and the reproduction report. Nothing here writes.
'use strict';

(function () {
  const { api, el, num, pValue, say, sayError } = Balint;
  const pageStatus = document.getElementById('page-status');
  const toggle = document.getElementById('per-protocol');
  const SVG = 'http://www.w3.org/2000/svg';
  const knownOutcomes = {
    ee: 'Emotional exhaustion (EE)',
    dp: 'Depersonalization (DP)',
    pa: 'Personal accomplishment (PA)',
    msq: 'Job satisfaction (MSQ)',
  };
  let trial = null;
  let analysis = null;

  function outcomeIds() {
    const present = Object.keys(analysis.outcomes || {});
    const order = trial && trial.outcomes ? trial.outcomes.map((o) => o.id) : Object.keys(knownOutcomes);
    return order.filter((id) => present.includes(id)).concat(present.filter((id) => !order.includes(id)));
  }

  function outcomeLabel(id) {
    const o = trial && trial.outcomes ? trial.outcomes.find((x) => x.id === id) : null;
    if (o && o.label) return o.label + ' (' + id.toUpperCase() + ')';
    return knownOutcomes[id] || id.toUpperCase();
  }

  function arms() {
    const fromTrial = trial && trial.arms ? trial.arms.map((a) => a.id) : [];
    const inData = Object.keys(analysis.n || {});
    return fromTrial.filter((a) => inData.includes(a)).concat(inData.filter((a) => !fromTrial.includes(a)));
  }

  const armLabel = (id) => Balint.armLabel(trial, id);
  const meanSd = (d) => (d && d.n ? num(d.mean) + ' ± ' + num(d.sd) : '–');
  const ci = (d) => (d ? num(d.diff) + ' [' + num(d.ci_low) + ', ' + num(d.ci_high) + ']' : '–');

  /** A table: caption, header cells (strings) and rows (arrays of strings; the first is a row header). */
  function table(id, caption, head, rows, note) {
    const t = el('table', { id: id },
      el('caption', { text: caption }),
      el('thead', {}, el('tr', {}, head.map((h, i) => el('th', { scope: 'col', className: i ? 'num' : '', text: h })))),
      el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => (i
        ? el('td', { className: 'num', text: c })
        : el('th', { scope: 'row', text: c })))))));
    const wrap = el('div', { className: 'table-wrap', attrs: { role: 'region', 'aria-labelledby': id + '-caption', tabindex: '0' } }, t);
    t.querySelector('caption').id = id + '-caption';
    return note ? [wrap, el('p', { className: 'hint', text: note })] : [wrap];
  }

  function renderTables() {
    const box = document.getElementById('tables');
    box.textContent = '';
    const [a, b] = arms();
    const ids = outcomeIds();

    box.append(...table('table-n', 'Participants analysed per arm', ['Arm', 'n'],
      arms().map((arm) => [armLabel(arm), String(analysis.n[arm])])));

    if (analysis.age) {
      const age = analysis.age;
      box.append(...table('table-age', 'Age (years, mean ± SD)',
        ['Variable', armLabel(a), armLabel(b), 't', 'p', 'Welch p', 'Difference [95% CI]'],
        [['Age', meanSd(age[a]), meanSd(age[b]), num(age.student && age.student.t, 3),
          pValue(age.student && age.student.p), pValue(age.welch && age.welch.p), ci(age.welch)]],
        'Student t (pooled variance); Welch t beside it. Differences are ' + armLabel(a) + ' minus ' + armLabel(b) + '.'));
    }

    if (analysis.gender && analysis.gender.counts) {
      const g = analysis.gender;
      const count = (arm, k) => String((g.counts[arm] || {})[k] || 0);
      box.append(...table('table-gender', 'Gender (number of participants)',
        ['Gender', armLabel(a), armLabel(b)],
        [['Male', count(a, 'M'), count(b, 'M')], ['Female', count(a, 'F'), count(b, 'F')]],
        'Chi-square ' + num(g.chi2, 3) + ' (df ' + g.df + '), p ' + pValue(g.p) + '; Fisher exact p ' + pValue(g.fisher_p) + '.'));
    }

    box.append(...table('table-before-after', 'Outcomes before and after, per arm (mean ± SD; paired t on post minus pre)',
      ['Outcome', armLabel(a) + ' pre', armLabel(a) + ' post', 'p', armLabel(b) + ' pre', armLabel(b) + ' post', 'p'],
      ids.map((id) => {
        const o = analysis.outcomes[id];
        const paired = o.paired || {};
        return [outcomeLabel(id), meanSd(o.pre && o.pre[a]), meanSd(o.post && o.post[a]),
          pValue(paired[a] && paired[a].p), meanSd(o.pre && o.pre[b]), meanSd(o.post && o.post[b]),
          pValue(paired[b] && paired[b].p)];
      })));

    box.append(...table('table-change', 'Change scores (post minus pre) between the arms',
      ['Outcome', armLabel(a) + ' change', armLabel(b) + ' change', 'Difference [95% CI]', 't', 'p',
        'Welch p', 'ANCOVA difference [95% CI]', 'ANCOVA p', 'Hedges g [95% CI]'],
      ids.map((id) => {
        const o = analysis.outcomes[id];
        const st = o.change_test && o.change_test.student;
        const we = o.change_test && o.change_test.welch;
        const g = o.hedges_g;
        return [outcomeLabel(id), meanSd(o.change && o.change[a]), meanSd(o.change && o.change[b]),
          ci(st), num(st && st.t, 3), pValue(st && st.p), pValue(we && we.p), ci(o.ancova),
          pValue(o.ancova && o.ancova.p),
          g ? num(g.g) + ' [' + num(g.ci_low) + ', ' + num(g.ci_high) + ']' : '–'];
      }),
      'Differences are ' + armLabel(a) + ' minus ' + armLabel(b) + '. ANCOVA adjusts the post score for the baseline.'));

    const withCases = ids.filter((id) => analysis.outcomes[id].caseness);
    if (withCases.length) {
      const cases = (c, arm) => (c && c[arm] ? c[arm].cases + ' of ' + c[arm].n : '–');
      box.append(...table('table-caseness', 'Caseness (participants above the burnout threshold)',
        ['Outcome', armLabel(a) + ' pre', armLabel(a) + ' post', armLabel(b) + ' pre', armLabel(b) + ' post'],
        withCases.map((id) => {
          const c = analysis.outcomes[id].caseness;
          return [outcomeLabel(id), cases(c.pre, a), cases(c.post, a), cases(c.pre, b), cases(c.post, b)];
        })));
    }

    if (analysis.power) {
      const pids = ids.filter((id) => analysis.power[id]);
      box.append(...table('table-power', 'Power: participants per arm for 80% power at the observed effect',
        ['Outcome', 'Effect size d', 'n per arm'],
        pids.map((id) => [outcomeLabel(id), num(analysis.power[id].d), String(analysis.power[id].n_per_arm_80)])));
    }

    if (analysis.dose_response) {
      const dids = ids.filter((id) => analysis.dose_response[id]);
      const val = (d, k) => (d[k] === null || d[k] === undefined ? (d[k + '_error'] ? 'not computed' : '–') : (k.endsWith('_p') ? pValue(d[k]) : num(d[k], 3)));
      box.append(...table('table-dose', 'Dose-response: sessions attended and change (intervention arm)',
        ['Outcome', 'n', 'Pearson r', 'p', 'Spearman rho', 'p'],
        dids.map((id) => {
          const d = analysis.dose_response[id];
          return [outcomeLabel(id), String(d.n), val(d, 'pearson_r'), val(d, 'pearson_p'),
            val(d, 'spearman_rho'), val(d, 'spearman_p')];
        }),
        dids.some((id) => analysis.dose_response[id].pearson_r_error)
          ? 'Not computed: ' + analysis.dose_response[dids.find((id) => analysis.dose_response[id].pearson_r_error)].pearson_r_error + '.'
          : ''));
    }
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function niceStep(span) {
    const raw = span / 5;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  /** Mean change per arm with its 95% CI (the paired interval), one block per outcome. */
  function renderPlot() {
    const box = document.getElementById('plot-box');
    box.textContent = '';
    const ids = outcomeIds();
    const armIds = arms();
    const points = [];
    for (const id of ids) {
      for (const arm of armIds) {
        const change = analysis.outcomes[id].change && analysis.outcomes[id].change[arm];
        const paired = analysis.outcomes[id].paired && analysis.outcomes[id].paired[arm];
        if (change && change.n && paired && paired.ci_low !== null && paired.ci_low !== undefined) {
          points.push({ id, arm, mean: change.mean, lo: paired.ci_low, hi: paired.ci_high });
        }
      }
    }
    const width = Math.max(300, Math.min(box.clientWidth || 640, 720));
    const left = 12;
    const right = width - 12;
    const rowH = 22;
    const labelH = 22;
    const gap = 10;
    const blockH = labelH + rowH * armIds.length + gap;
    const top = 8;
    const height = top + blockH * ids.length + 36;
    let lo = Math.min(0, ...points.map((p) => p.lo));
    let hi = Math.max(0, ...points.map((p) => p.hi));
    if (!(hi > lo)) { lo = -1; hi = 1; }
    const step = niceStep(hi - lo);
    lo = Math.floor(lo / step) * step;
    hi = Math.ceil(hi / step) * step;
    const x = (v) => left + ((v - lo) / (hi - lo)) * (right - left);
    const colours = ['#1f4e8c', '#a34700'];
    const desc = points.map((p) => outcomeLabel(p.id) + ', ' + armLabel(p.arm) + ': ' + num(p.mean) +
      ' [' + num(p.lo) + ', ' + num(p.hi) + ']').join('; ');
    const plot = svg('svg', { id: 'change-plot', class: 'plot', width: width, height: height,
      viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-labelledby': 'change-plot-title change-plot-desc' });
    plot.append(svg('title', { id: 'change-plot-title' }, 'Mean change per arm with 95% confidence intervals'),
      svg('desc', { id: 'change-plot-desc' }, points.length ? desc : 'No change scores yet.'));
    const axisY = top + blockH * ids.length;
    for (let v = lo; v <= hi + step / 2; v += step) {
      const xv = x(v);
      const zero = Math.abs(v) < step / 1000;
      plot.append(svg('line', { x1: xv, x2: xv, y1: top, y2: axisY, stroke: zero ? '#1a1a1a' : '#d5d9e0',
        'stroke-width': zero ? 1.5 : 1, 'stroke-dasharray': zero ? '4 3' : 'none' }));
      plot.append(svg('text', { x: xv, y: axisY + 16, 'text-anchor': 'middle', 'font-size': 12, fill: '#1a1a1a' },
        num(zero ? 0 : v, step < 1 ? 1 : 0)));
    }
    plot.append(svg('text', { x: (left + right) / 2, y: axisY + 32, 'text-anchor': 'middle', 'font-size': 12, fill: '#4a5160' },
      'change in points (post minus pre)'));
    ids.forEach((id, i) => {
      const y0 = top + i * blockH;
      plot.append(svg('text', { x: left, y: y0 + 15, 'font-size': 13, 'font-weight': 600, fill: '#1a1a1a',
        stroke: '#ffffff', 'stroke-width': 4, 'paint-order': 'stroke' }, outcomeLabel(id)));
      armIds.forEach((arm, j) => {
        const p = points.find((q) => q.id === id && q.arm === arm);
        if (!p) return;
        const y = y0 + labelH + j * rowH + rowH / 2;
        const colour = colours[j % colours.length];
        const g = svg('g', { class: 'point' });
        g.append(svg('title', {}, armLabel(arm) + ': ' + num(p.mean) + ' [' + num(p.lo) + ', ' + num(p.hi) + ']'));
        g.append(svg('line', { x1: x(p.lo), x2: x(p.hi), y1: y, y2: y, stroke: colour, 'stroke-width': 2 }));
        g.append(svg('line', { x1: x(p.lo), x2: x(p.lo), y1: y - 5, y2: y + 5, stroke: colour, 'stroke-width': 2 }));
        g.append(svg('line', { x1: x(p.hi), x2: x(p.hi), y1: y - 5, y2: y + 5, stroke: colour, 'stroke-width': 2 }));
        g.append(j === 0
          ? svg('circle', { cx: x(p.mean), cy: y, r: 5.5, fill: colour, stroke: '#ffffff', 'stroke-width': 1 })
          : svg('rect', { x: x(p.mean) - 5, y: y - 5, width: 10, height: 10, fill: colour, stroke: '#ffffff', 'stroke-width': 1 }));
        plot.append(g);
      });
    });
    box.append(plot);
    const legend = document.getElementById('plot-legend');
    legend.textContent = '';
    armIds.forEach((arm, j) => legend.append(el('span', {},
      el('span', { className: 'swatch ' + (j === 0 ? 'intervention' : 'comparator'), attrs: { 'aria-hidden': 'true' } }),
      (j === 0 ? 'circle: ' : 'square: ') + armLabel(arm))));
    legend.append(el('span', { text: 'Bars: 95% confidence interval of the mean change; dashed line: no change.' }));
  }

  function renderSummary() {
    const pp = analysis.population === 'per-protocol';
    const parts = arms().map((arm) => armLabel(arm) + ' n = ' + analysis.n[arm]);
    let text = 'Population: ' + (pp ? 'per-protocol' : 'intention to treat') + ' (' + parts.join(', ') + ').';
    if (analysis.not_randomized) text += ' ' + analysis.not_randomized + ' enrolled participants are not randomized yet.';
    if (pp && analysis.excluded_per_protocol !== undefined) {
      text += ' ' + analysis.excluded_per_protocol + ' intervention participants excluded for attending too few sessions.';
      if (analysis.excluded_outside_window) {
        text += ' ' + analysis.excluded_outside_window + ' excluded for a questionnaire answered outside its window.';
      }
    }
    document.getElementById('population-summary').textContent = text;
  }

  function clear(reason) {
    analysis = null;
    document.getElementById('population-summary').textContent = reason;
    document.getElementById('plot-box').textContent = '';
    document.getElementById('plot-legend').textContent = '';
    document.getElementById('tables').textContent = '';
  }

  async function load() {
    const pp = toggle.checked;
    try {
      analysis = await api('GET', '/api/analysis' + (pp ? '?population=per-protocol' : ''));
    } catch (err) {
      // Never leave the other population's numbers under this population's name.
      clear('Population: ' + (pp ? 'per-protocol' : 'intention to treat') + '. No analysis to show.');
      throw err;
    }
    renderSummary();
    renderPlot();
    renderTables();
  }

  toggle.addEventListener('change', async () => {
    try {
      await load();
      say(pageStatus, 'Showing the ' + (toggle.checked ? 'per-protocol' : 'intention-to-treat') + ' analysis.', 'ok');
    } catch (err) {
      sayError(pageStatus, err);
    }
  });

  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (analysis) renderPlot(); }, 150);
  });

  // The downloads go to this page's trial (at a site of several, /api/trials/ID/...).
  for (const a of document.querySelectorAll('a.api-link')) {
    a.setAttribute('href', Balint.routed(a.getAttribute('href')));
  }

  Balint.run(['analyst', 'coordinator'], pageStatus, (s) => {
    trial = s.trial;
    return load();
  });
})();
