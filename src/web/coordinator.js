// The coordinator's page: enrolment progress, the participants with their baseline and
// allocation, randomize (with a confirmation), withdraw (with a reason), enrol, record a
// questionnaire and import a participant CSV. Every refusal shows the server's words.
'use strict';

(function () {
  const { api, el, say, sayError } = Balint;
  const [pageStatus, tableStatus] = Balint.byIds('page-status', 'participants-status');
  const tbody = document.querySelector('#participants tbody');
  let trial = null;
  let participants = [];

  function eligible(p) {
    return p.status !== 'withdrawn' && !p.allocation && p.baseline && p.baseline.complete;
  }

  function renderProgress() {
    const box = document.getElementById('progress');
    box.textContent = '';
    const planned = trial.planned_participants || 0;
    const enrolled = participants.length;
    const withdrawn = participants.filter((p) => p.status === 'withdrawn').length;
    const waiting = participants.filter(eligible).length;
    const incomplete = participants.filter(
      (p) => p.status !== 'withdrawn' && !p.allocation && !(p.baseline && p.baseline.complete)).length;
    const perArm = new Map((trial.arms || []).map((a) => [a.id, 0]));
    for (const p of participants) {
      if (p.allocation) perArm.set(p.allocation.arm, (perArm.get(p.allocation.arm) || 0) + 1);
    }
    const figures = el('dl', { className: 'figures', id: 'progress-figures' },
      el('div', {}, el('dt', { text: 'Enrolled' }),
        el('dd', { text: planned ? enrolled + ' of ' + planned + ' planned' : String(enrolled) })));
    for (const [arm, n] of perArm) {
      figures.append(el('div', {}, el('dt', { text: 'Randomized: ' + Balint.armLabel(trial, arm) }),
        el('dd', { text: String(n) })));
    }
    figures.append(
      el('div', {}, el('dt', { text: 'Waiting for randomization' }), el('dd', { text: String(waiting) })),
      el('div', {}, el('dt', { text: 'Baseline questionnaire missing' }),
        el('dd', { text: String(incomplete) })),
      el('div', {}, el('dt', { text: 'Withdrawn' }), el('dd', { text: String(withdrawn) })));
    box.append(figures);
    if (planned) {
      const bar = el('progress', { id: 'enrolment-bar', max: planned, value: Math.min(enrolled, planned) });
      box.append(el('label', { htmlFor: 'enrolment-bar', className: 'hint',
        text: 'Enrolment: ' + enrolled + ' of ' + planned + ' planned participants' }), bar);
    }
  }

  function baselineCell(p) {
    if (p.baseline && p.baseline.complete) return el('span', { className: 'tag good', text: 'Complete' });
    const missing = p.baseline && p.baseline.missing ? p.baseline.missing : [];
    return el('span', { className: 'tag warn',
      text: 'Missing: ' + (missing.length ? missing.map(Balint.instrumentLabel).join(', ') : 'unknown') });
  }

  function allocationCell(p) {
    if (!p.allocation) return el('span', { className: 'hint', text: 'Not randomized' });
    return el('span', {}, el('strong', { text: Balint.armLabel(trial, p.allocation.arm) }),
      p.allocation.stratum && p.allocation.stratum !== 'all'
        ? el('span', { className: 'hint', text: ' (stratum ' + p.allocation.stratum + ')' }) : null);
  }

  function statusCell(p) {
    if (p.status === 'withdrawn') {
      const when = [p.withdrawal_date, p.withdrawal_category].filter(Boolean).join(', ');
      return el('span', {}, el('span', { className: 'tag bad', text: 'Withdrawn' }),
        when ? el('span', { className: 'hint', text: ' ' + when + '.' }) : null,
        p.withdrawal_reason ? el('span', { className: 'hint', text: ' ' + p.withdrawal_reason }) : null);
    }
    return el('span', { text: 'Enrolled' });
  }

  function actionsFor(p, cell, focus) {
    cell.textContent = '';
    const box = el('div', { className: 'actions' });
    if (eligible(p)) {
      box.append(el('button', { type: 'button', className: 'primary', text: 'Randomize',
        attrs: { 'aria-label': 'Randomize ' + p.code }, onclick: () => confirmRandomize(p, cell) }));
    }
    if (p.status !== 'withdrawn') {
      box.append(el('button', { type: 'button', className: 'danger', text: 'Withdraw',
        attrs: { 'aria-label': 'Withdraw ' + p.code }, onclick: () => askWithdrawal(p, cell) }));
    }
    cell.append(box);
    if (focus && box.firstChild) box.firstChild.focus();
  }

  function confirmRandomize(p, cell) {
    cell.textContent = '';
    const confirm = el('button', { type: 'button', className: 'primary',
      text: 'Confirm randomization', attrs: { 'aria-label': 'Confirm randomization of ' + p.code },
      onclick: () => randomize(p, confirm) });
    cell.append(
      el('p', { text: 'Randomize ' + p.code + ' now? The allocation is final.' }),
      el('div', { className: 'actions' }, confirm,
        el('button', { type: 'button', text: 'Cancel', onclick: () => actionsFor(p, cell, true) })));
    confirm.focus();
  }

  async function randomize(p, button) {
    button.disabled = true;
    try {
      const r = await api('POST', '/api/participants/' + encodeURIComponent(p.code) + '/randomize');
      await load();
      say(tableStatus, p.code + ' was randomized: allocated to ' + Balint.armLabel(trial, r.arm) +
        (r.stratum && r.stratum !== 'all' ? ' (stratum ' + r.stratum + ')' : '') + '.', 'ok');
      focusRow(p.code);
    } catch (err) {
      button.disabled = false;
      sayError(tableStatus, err);
    }
  }

  function askWithdrawal(p, cell) {
    cell.textContent = '';
    const id = 'withdraw-reason-' + p.code;
    const input = el('input', { id: id, type: 'text', required: true, autocomplete: 'off' });
    const dateId = 'withdraw-date-' + p.code;
    const date = el('input', { id: dateId, type: 'date' });
    const categoryId = 'withdraw-category-' + p.code;
    const category = el('select', { id: categoryId });
    for (const [value, label] of [
      ['withdrew-consent', 'Withdrew consent'], ['lost-to-follow-up', 'Lost to follow-up'],
      ['discontinued-intervention', 'Discontinued the intervention'],
      ['left-the-hospital', 'Left the hospital'], ['adverse-event', 'Adverse event'], ['other', 'Other']]) {
      category.append(el('option', { value: value, text: label }));
    }
    category.value = 'other';
    const form = el('form', { className: 'inline-form', noValidate: true },
      el('div', { className: 'field' }, el('label', { htmlFor: id, text: 'Reason for withdrawing ' + p.code }), input),
      el('div', { className: 'field' }, el('label', { htmlFor: categoryId, text: 'Category' }), category),
      el('div', { className: 'field' }, el('label', { htmlFor: dateId, text: 'Date left (empty: today)' }), date),
      el('div', { className: 'actions' },
        el('button', { type: 'submit', className: 'danger primary', text: 'Confirm withdrawal',
          attrs: { 'aria-label': 'Confirm withdrawal of ' + p.code } }),
        el('button', { type: 'button', text: 'Cancel', onclick: () => actionsFor(p, cell, true) })));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const body = { reason: input.value.trim(), category: category.value };
        if (date.value) body.date = date.value;
        await api('POST', '/api/participants/' + encodeURIComponent(p.code) + '/withdraw', body);
        await load();
        say(tableStatus, p.code + ' was withdrawn. Their data are kept.', 'ok');
        focusRow(p.code);
      } catch (err) {
        sayError(tableStatus, err);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    });
    cell.append(form);
    input.focus();
  }

  /** After a change, focus stays near it: the participant's row, or the filter when the row
   *  no longer matches it. */
  function focusRow(code) {
    const th = tbody.querySelector('th[data-code="' + CSS.escape(code) + '"]');
    (th || document.getElementById('participant-filter')).focus();
  }

  const filters = {
    all: () => true,
    waiting: eligible,
    missing: (p) => p.status !== 'withdrawn' && !(p.baseline && p.baseline.complete),
    randomized: (p) => Boolean(p.allocation),
    withdrawn: (p) => p.status === 'withdrawn',
  };

  function renderTable() {
    tbody.textContent = '';
    const filter = document.getElementById('participant-filter');
    const shown = participants.filter(filters[filter.value] || filters.all);
    document.getElementById('participant-count').textContent =
      'Showing ' + shown.length + ' of ' + participants.length + ' participants.';
    if (!shown.length) {
      tbody.append(el('tr', {}, el('td', { colSpan: 5,
        text: participants.length ? 'No participant matches "' + filter.selectedOptions[0].text + '".'
          : 'No participants are enrolled yet.' })));
      return;
    }
    for (const p of shown) {
      const actions = el('td', {});
      actionsFor(p, actions);
      tbody.append(el('tr', { attrs: { 'data-code': p.code } },
        el('th', { scope: 'row', text: p.code, tabIndex: -1, attrs: { 'data-code': p.code } }),
        el('td', {}, statusCell(p)),
        el('td', {}, baselineCell(p)),
        el('td', {}, allocationCell(p)),
        actions));
    }
  }

  function fillSelect(select, options, keep) {
    const old = keep ? select.value : '';
    select.textContent = '';
    for (const [value, label] of options) select.append(el('option', { value: value, text: label }));
    if (old && options.some(([v]) => v === old)) select.value = old;
  }

  function renderOutcomeChoices() {
    fillSelect(document.getElementById('outcome-participant'),
      [['', 'Choose…']].concat(participants.map((p) => [p.code, p.code])), true);
    fillSelect(document.getElementById('outcome-timepoint'),
      (trial.timepoints || []).map((t) => [t.id, t.id + ': ' + t.label]), true);
    fillSelect(document.getElementById('outcome-instrument'),
      (trial.instruments || []).map((i) => [i, Balint.instrumentLabel(i) + nameOf(i)]), true);
    describeAnswers();
  }

  /** " (its name)" when the trial says what the instrument is called. */
  function nameOf(id) {
    const d = (trial.instrument_details || []).find((x) => x.id === id);
    return d && d.name ? ' (' + d.name + ')' : '';
  }

  /** The answers hint for the chosen questionnaire: how many answers and which values. */
  function describeAnswers() {
    const hint = document.getElementById('outcome-items-hint');
    const chosen = document.getElementById('outcome-instrument').value;
    const d = (trial.instrument_details || []).find((x) => x.id === chosen);
    hint.textContent = 'Numbers separated by commas, e.g. 4,4,2,…' +
      (d ? ' ' + Balint.instrumentLabel(d.id) + ': ' + d.items + ' answers, each ' + d.min +
        ' to ' + d.max + '.' : '') + ' Leave a place empty for a missing answer.';
  }

  async function load() {
    participants = await api('GET', '/api/participants');
    renderProgress();
    renderTable();
    renderOutcomeChoices();
    await loadSurveyLinks();
  }

  // --- survey links ----------------------------------------------------------------------

  const surveyTimepoint = document.getElementById('survey-timepoint');
  const surveyStatus = document.getElementById('survey-status');
  const surveyBody = document.querySelector('#survey-links tbody');
  const stateWords = {
    none: 'no link', open: 'open', expired: 'expired', submitted: 'submitted', revoked: 'revoked',
  };

  async function loadSurveyLinks() {
    if (!surveyTimepoint.options.length) {
      fillSelect(surveyTimepoint, (trial.timepoints || []).map((t) => [t.id, t.label || t.id]));
    }
    const tp = surveyTimepoint.value;
    if (!tp) return;
    const s = await api('GET', '/api/survey-links?timepoint=' + encodeURIComponent(tp));
    const c = s.counts;
    document.getElementById('survey-counts').textContent = c.issued + ' links issued: ' +
      c.open + ' open, ' + c.expired + ' expired, ' + c.submitted + ' submitted, ' + c.revoked +
      ' revoked.';
    surveyBody.replaceChildren(...s.participants.map((p) => {
      const cell = el('td', {});
      surveyActions(p, cell);
      const state = stateWords[p.state] || p.state;
      return el('tr', {},
        el('th', { scope: 'row', text: p.participant }),
        el('td', { text: state + (p.answers_saved ? ' (answers saved)' : '') }),
        el('td', { text: p.expires_at ? Balint.localDateTime(p.expires_at) : '' }),
        cell);
    }));
  }

  function surveyActions(p, cell) {
    cell.textContent = '';
    if (p.state === 'open' || p.state === 'expired') {
      cell.append(el('button', { type: 'button', text: 'Revoke',
        attrs: { 'aria-label': 'Revoke the link of ' + p.participant },
        onclick: () => askSurveyReason(p, cell, 'revoke') }), ' ');
    }
    if (p.state !== 'submitted') {
      cell.append(el('button', { type: 'button', text: 'Reissue',
        attrs: { 'aria-label': 'Reissue a link for ' + p.participant },
        onclick: () => askSurveyReason(p, cell, 'reissue') }));
    }
  }

  function askSurveyReason(p, cell, action) {
    cell.textContent = '';
    const id = 'survey-reason-' + p.participant;
    const input = el('input', { id: id, type: 'text', required: true, autocomplete: 'off',
      maxLength: 2000 });
    const form = el('form', { className: 'inline-form', noValidate: true },
      el('div', { className: 'field' },
        el('label', { htmlFor: id, text: 'Reason to ' + action + ' the link of ' + p.participant }),
        input),
      el('div', { className: 'actions' },
        el('button', { type: 'submit', className: 'primary', text: 'Confirm ' + action }),
        el('button', { type: 'button', text: 'Cancel', onclick: () => surveyActions(p, cell) })));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const r = await api('POST', '/api/survey-links/' + encodeURIComponent(p.participant) +
          '/' + action, { timepoint: surveyTimepoint.value, reason: input.value.trim() });
        await loadSurveyLinks();
        if (action === 'reissue') {
          const url = window.location.origin + r.path;
          say(surveyStatus, 'New link for ' + p.participant + ' (shown once; give it to them ' +
            'only): ' + url, 'ok');
        } else {
          say(surveyStatus, 'The link of ' + p.participant + ' was revoked.', 'ok');
        }
      } catch (err) {
        sayError(surveyStatus, err);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    });
    cell.append(form);
    input.focus();
  }

  surveyTimepoint.addEventListener('change', () => {
    say(surveyStatus, '');
    loadSurveyLinks().catch((err) => sayError(surveyStatus, err));
  });

  document.getElementById('participant-filter').addEventListener('change', () => {
    say(tableStatus, '');
    renderTable();
  });

  /**
   * Posts an enrolment; past the trial's planned size the server refuses with field
   * "beyond_plan" and saves nothing: the coordinator is asked, and only a confirmed enrolment is
   * sent again with beyond_plan. Returns the answer, or null when the coordinator declined.
   */
  async function enrolWithinPlan(path, body, status) {
    try {
      return await api('POST', path, body);
    } catch (e) {
      if (e.field !== 'beyond_plan') throw e;
      if (!window.confirm(e.message + '\n\nEnrol anyway?')) {
        say(status, e.message, 'info');
        return null;
      }
      return api('POST', path, Object.assign({}, body, { beyond_plan: true }));
    }
  }

  Balint.onSubmit('enrol-form', 'enrol-status', async (form, status) => {
    const body = {
      code: form.elements.code.value.trim(),
      age: form.elements.age.value.trim(),
      gender: form.elements.gender.value,
      consent: form.elements.consent.checked ? 'yes' : 'no',
      available: Array.from(form.querySelectorAll('input[name=available]:checked')).map((c) => c.value),
    };
    const specialty = form.elements.specialty.value.trim();
    if (specialty) body.specialty = specialty;
    if (form.elements.consent_date.value) body.consent_date = form.elements.consent_date.value;
    if (!body.available.length) delete body.available;
    if (!(await enrolWithinPlan('/api/participants', body, status))) return;
    form.reset();
    say(status, 'Enrolled participant ' + body.code + '. Record the baseline questionnaire next.', 'ok');
    await load();
  });

  Balint.onSubmit('outcome-form', 'outcome-status', async (form, status) => {
    const body = {
      participant: form.elements.participant.value,
      timepoint: form.elements.timepoint.value,
      instrument: form.elements.instrument.value,
      items: form.elements.items.value.replace(/\s+/g, ''),
    };
    const reason = form.elements.reason.value.trim();
    if (reason) body.reason = reason;
    if (form.elements.assessment_date.value) body.assessment_date = form.elements.assessment_date.value;
    const r = await api('POST', '/api/outcomes', body);
    const scores = Object.entries(r.scores || {})
      .map(([k, v]) => k.toUpperCase() + ' ' + (v.score === null ? 'missing' : v.score)).join(', ');
    const warnings = (r.warnings || []).map((w) => ' Note: ' + w + '.').join('');
    say(status, (r.correction ? 'Corrected' : 'Recorded') + ' the ' + Balint.instrumentLabel(r.instrument) +
      ' questionnaire of ' + r.participant + ' at ' + r.timepoint + '. Answered ' + r.assessment_date +
      '. Scores: ' + scores + '.' + warnings, warnings ? 'info' : 'ok');
    form.elements.items.value = '';
    form.elements.reason.value = '';
    form.elements.assessment_date.value = '';
    await load();
  });

  Balint.onSubmit('import-form', 'import-status', async (form, status) => {
    const file = form.elements.file.files[0];
    if (!file) {
      say(status, 'Choose a participant CSV file first.', 'error');
      form.elements.file.focus();
      return;
    }
    const r = await enrolWithinPlan('/api/participants/import', { csv: await file.text() }, status);
    if (!r) return;
    say(status, 'Enrolled ' + r.enrolled + ' participants from ' + file.name + '.', 'ok');
    form.reset();
    await load();
  });

  document.getElementById('outcome-instrument').addEventListener('change', describeAnswers);

  Balint.onSubmit('extend-form', 'extend-status', async (form, status) => {
    const r = await api('POST', '/api/randomization/extend', {
      blocks: Number(form.elements.blocks.value),
      reason: form.elements.reason.value.trim(),
    });
    say(status, 'The allocation list has a new segment ' + r.segment + ' (' + r.blocks +
      ' more blocks in each stratum). File its commitment: ' + r.commitment, 'ok');
    form.elements.reason.value = '';
    await load();
  });

  Balint.run(['coordinator'], pageStatus, (s) => {
    trial = s.trial;
    return load();
  });
})();
