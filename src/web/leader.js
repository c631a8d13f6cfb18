// The group leader's page, made for a phone: today's session with one-tap attendance marks,
// the choice of another session, and the participants at risk of not completing.
'use strict';

(function () {
  const { api, el, say, sayError } = Balint;
  const [pageStatus, markStatus, select, roster] =
    Balint.byIds('page-status', 'mark-status', 'session-select', 'roster');
  const marks = [['present', 'Present'], ['absent', 'Absent'], ['excused', 'Excused']];
  let sessions = [];
  let current = null; // the session shown, with its attendance
  let trial = null;

  function key(s) {
    return s.cohort + '/' + s.number;
  }

  /** Today's session: the one starting today (browser's date), else the latest that has started,
   *  else the next one. */
  function pickToday(list) {
    const today = Balint.today();
    const todays = list.find((s) => String(s.start).slice(0, 10) === today);
    if (todays) return todays;
    const now = Date.now();
    const started = list.filter((s) => Date.parse(s.start_utc || s.start) <= now);
    if (started.length) return started[started.length - 1];
    return list.length ? list[0] : null;
  }

  function label(s) {
    const today = String(s.start).slice(0, 10) === Balint.today();
    const when = Balint.localDateTime(s.start).replace(/^\w+ /, ''); // "23 Nov 2026, 11:00"
    return s.number + ' · ' + when + (today ? ' (today)' : '') +
      (s.status === 'cancelled' ? ' (cancelled)' : '');
  }

  function renderSession() {
    const heading = document.getElementById('session-heading');
    const facts = document.getElementById('session-facts');
    roster.textContent = '';
    if (!current) {
      heading.textContent = 'No session';
      facts.textContent = 'You lead no sessions yet.';
      return;
    }
    const isToday = String(current.start).slice(0, 10) === Balint.today();
    heading.textContent = (isToday ? "Today's session: " : '') + 'session ' + current.number;
    const end = /T(\d{2}:\d{2})/.exec(current.end || '');
    const marked = (current.attendance || []).filter((a) => a.status).length;
    facts.textContent = Balint.localDateTime(current.start) + (end ? '-' + end[1] : '') +
      ' (' + (trial && trial.time_zone ? trial.time_zone : 'trial time') + '), ' +
      (current.status || 'planned') + '. ' + marked + ' of ' + (current.attendance || []).length +
      ' marked.';
    if (!(current.attendance || []).length) {
      roster.append(el('li', { text: 'No participants are planned for this session.' }));
      return;
    }
    for (const a of current.attendance) roster.append(participantItem(a));
  }

  function participantItem(a) {
    const codeId = 'p-' + a.participant;
    const item = el('li', { attrs: { 'data-participant': a.participant } });
    const group = el('div', { className: 'marks', attrs: { role: 'group', 'aria-labelledby': codeId } });
    for (const [value, text] of marks) {
      group.append(el('button', {
        type: 'button', className: value, text: text,
        attrs: { 'aria-pressed': a.status === value ? 'true' : 'false' },
        onclick: () => tap(a, value, item),
      }));
    }
    item.append(el('p', { className: 'code', id: codeId, text: a.participant }), group);
    return item;
  }

  async function tap(a, value, item) {
    if (a.status === value) {
      say(markStatus, a.participant + ' is already marked ' + value + '.', 'info');
      return;
    }
    if (a.status) {
      askReason(a, value, item);
      return;
    }
    await save(a, value, undefined, item);
  }

  /** Changing a mark needs a reason (for the audit trail): a small inline field, not a prompt. */
  function askReason(a, value, item) {
    const old = item.querySelector('form.change');
    if (old) old.remove();
    const id = 'reason-' + a.participant;
    const input = el('input', { id: id, type: 'text', autocomplete: 'off', required: true });
    const form = el('form', { className: 'change inline-form', noValidate: true },
      el('div', { className: 'field' },
        el('label', { htmlFor: id, text: 'Reason for changing ' + a.participant + ' from ' + a.status + ' to ' + value }),
        input),
      el('div', { className: 'actions' },
        el('button', { type: 'submit', className: 'primary', text: 'Save change' }),
        el('button', { type: 'button', text: 'Cancel', onclick: () => { form.remove(); focusMark(a, a.status); } })));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!input.value.trim()) {
        say(markStatus, 'Give a reason for changing the mark of ' + a.participant + '.', 'error');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      await save(a, value, input.value.trim(), item);
    });
    item.append(form);
    input.focus();
  }

  function focusMark(a, value) {
    const item = roster.querySelector('li[data-participant="' + CSS.escape(a.participant) + '"]');
    const button = item && item.querySelector('button.' + (value || 'present'));
    if (button) button.focus();
  }

  async function save(a, value, reason, item) {
    const body = { status: value };
    if (reason) body.reason = reason;
    const buttons = item.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await api('PUT', '/api/sessions/' + current.number + '/attendance/' +
        encodeURIComponent(a.participant) + '?cohort=' + encodeURIComponent(current.cohort), body);
      const was = a.status;
      a.status = value;
      const fresh = participantItem(a);
      item.replaceWith(fresh);
      renderFactsOnly();
      say(markStatus, a.participant + (was ? ' changed from ' + was + ' to ' : ' marked ') + value + '.', 'ok');
      focusMark(a, value);
      loadRisk();
    } catch (err) {
      buttons.forEach((b) => { b.disabled = false; });
      sayError(markStatus, err);
    }
  }

  function renderFactsOnly() {
    const facts = document.getElementById('session-facts');
    const all = current.attendance || [];
    const marked = all.filter((x) => x.status).length;
    facts.textContent = facts.textContent.replace(/\d+ of \d+ marked\.$/, marked + ' of ' + all.length + ' marked.');
  }

  async function showSession(s) {
    current = await api('GET', '/api/sessions/' + s.number + '?cohort=' + encodeURIComponent(s.cohort));
    if (!current.cohort) current.cohort = s.cohort;
    renderSession();
  }

  async function loadRisk() {
    const box = document.getElementById('risk');
    try {
      const progress = await api('GET', '/api/attendance/progress');
      // The status words: at_risk / cannot_complete (older servers: at-risk / cannot-complete).
      const risky = progress.map((p) => Object.assign({}, p, { status: String(p.status).replace(/-/g, '_') }))
        .filter((p) => p.status === 'at_risk' || p.status === 'cannot_complete')
        .sort((x, y) => (x.status === y.status ? x.participant.localeCompare(y.participant)
          : (x.status === 'cannot_complete' ? -1 : 1)));
      box.textContent = '';
      if (!risky.length) {
        box.append(el('p', { id: 'risk-none', text: 'Nobody is at risk: every participant can still attend the required sessions.' }));
        return;
      }
      const list = el('ul', { className: 'risk-list', id: 'risk-list' });
      for (const p of risky) {
        list.append(el('li', {},
          el('strong', { text: p.participant }), ' ',
          el('span', { className: 'tag ' + (p.status === 'cannot_complete' ? 'bad' : 'warn'),
            text: p.status === 'cannot_complete' ? 'cannot complete' : 'at risk' }),
          ' attended ' + p.attended + ' of ' + p.required + ' required sessions; ' +
          p.remaining_possible + ' more still possible'));
      }
      box.append(list);
    } catch (err) {
      box.textContent = '';
      box.append(el('p', { className: 'status error', text: 'Not done: ' + err.message }));
    }
  }

  select.addEventListener('change', async () => {
    const s = sessions.find((x) => key(x) === select.value);
    if (!s) return;
    say(markStatus, '');
    try {
      await showSession(s);
    } catch (err) {
      sayError(pageStatus, err);
    }
  });

  async function load() {
    const all = await api('GET', '/api/sessions');
    sessions = all.filter((s) => s.kind !== 'lecture')
      .sort((x, y) => Date.parse(x.start_utc || x.start) - Date.parse(y.start_utc || y.start));
    select.textContent = '';
    for (const s of sessions) select.append(el('option', { value: key(s), text: label(s) }));
    const chosen = pickToday(sessions);
    if (chosen) {
      select.value = key(chosen);
      await showSession(chosen);
    } else {
      current = null;
      renderSession();
    }
    await loadRisk();
  }

  Balint.run(['leader'], pageStatus, (s) => {
    trial = s.trial;
    return load();
  });
})();
