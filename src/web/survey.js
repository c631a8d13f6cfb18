// The participant's questionnaire page (/s/TOKEN): no account, no cookie. Loads the link's
// questionnaires from /api/survey/TOKEN, saves answers to resume later (PUT) and submits them
// once (POST .../submit). Every text from the server goes in through textContent.
'use strict';

(function () {
  const texts = {
    en: {
      title: 'Questionnaire',
      intro: 'Please answer every question marked *. You can save and come back to this page ' +
        'before %s (UTC).',
      save: 'Save',
      submit: 'Submit',
      saved: 'Your answers are saved. You can come back to this page to finish.',
      missing: 'Please answer the questions marked in red (%d left).',
      required: 'required',
      thanks: 'Thank you',
      thanksText: 'Your answers have been received. You can close this page.',
      gone: 'This link is not available. It does not exist, it has been used already, or it ' +
        'is no longer valid.',
      failed: 'Something went wrong; your answers were not sent. Please try again.',
      tooMany: 'Too many attempts; please wait a minute and try again.',
    },
    zh: {
      title: '问卷',
      intro: '请回答所有标有 * 的问题。您可以先保存，在 %s (UTC) 之前回到此页面继续填写。',
      save: '保存',
      submit: '提交',
      saved: '您的回答已保存，可以稍后回到此页面继续填写。',
      missing: '请回答标为红色的问题（还剩 %d 题）。',
      required: '必答',
      thanks: '谢谢',
      thanksText: '您的回答已收到，可以关闭此页面。',
      gone: '此链接不可用：它不存在、已被使用或已失效。',
      failed: '出现错误，您的回答未能发送，请重试。',
      tooMany: '尝试次数过多，请稍候一分钟再试。',
    },
  };
  let t = texts.en;

  const token = decodeURIComponent(location.pathname.replace(/^\/s\//, ''));
  const api = '/api/survey/' + encodeURIComponent(token);
  const form = document.getElementById('survey-form');
  const questions = document.getElementById('survey-questions');
  const status = document.getElementById('survey-status');
  let survey = null;

  function say(message, isError) {
    status.textContent = message;
    status.classList.toggle('error', Boolean(isError));
  }

  function showGone() {
    form.hidden = true;
    document.getElementById('survey-intro').textContent = '';
    say(t.gone, true);
  }

  function render(data) {
    survey = data;
    t = texts[data.language] || texts[(data.language || '').split('-')[0]] || texts.en;
    document.documentElement.lang = data.language || 'en';
    document.title = t.title;
    document.getElementById('survey-title').textContent = t.title;
    document.getElementById('survey-intro').textContent = t.intro.replace('%s',
      data.expires_at.replace('T', ' ').replace('Z', ''));
    document.getElementById('survey-save').textContent = t.save;
    document.getElementById('survey-submit').textContent = t.submit;
    questions.replaceChildren();
    for (const inst of data.instruments) {
      const heading = document.createElement('h2');
      heading.textContent = inst.name;
      questions.append(heading);
      const saved = (data.saved && data.saved[inst.id]) || [];
      for (const item of inst.items) {
        const set = document.createElement('fieldset');
        set.className = 'item';
        set.dataset.instrument = inst.id;
        set.dataset.item = String(item.number);
        set.dataset.required = item.required ? '1' : '0';
        const legend = document.createElement('legend');
        legend.textContent = item.number + '. ' + item.text;
        if (item.required) {
          const mark = document.createElement('span');
          mark.className = 'required';
          mark.textContent = '*';
          mark.title = t.required;
          mark.setAttribute('aria-label', t.required);
          legend.append(mark);
        }
        set.append(legend);
        const choices = document.createElement('div');
        choices.className = 'choices';
        for (const choice of inst.choices) {
          const label = document.createElement('label');
          const input = document.createElement('input');
          input.type = 'radio';
          input.name = inst.id + '-' + item.number;
          input.value = String(choice.value);
          input.required = item.required;
          if (saved[item.number - 1] === choice.value) input.checked = true;
          input.addEventListener('change', () => set.classList.remove('missing'));
          const span = document.createElement('span');
          span.textContent = choice.label;
          label.append(input, span);
          choices.append(label);
        }
        set.append(choices);
        questions.append(set);
      }
    }
    form.hidden = false;
  }

  /** The answers as the API takes them: {"instrument": [value or null, ...]}. */
  function collect() {
    const answers = {};
    for (const inst of survey.instruments) {
      answers[inst.id] = inst.items.map((item) => {
        const picked = form.querySelector('input[name="' + inst.id + '-' + item.number +
          '"]:checked');
        return picked ? Number(picked.value) : null;
      });
    }
    return answers;
  }

  /** Marks unanswered required items; the number of them. */
  function markMissing() {
    let missing = 0;
    let first = null;
    for (const set of questions.querySelectorAll('fieldset.item')) {
      const answered = set.querySelector('input:checked') !== null;
      const needs = set.dataset.required === '1' && !answered;
      set.classList.toggle('missing', needs);
      if (needs) {
        missing += 1;
        first = first || set;
      }
    }
    if (first) first.scrollIntoView({ block: 'center' });
    return missing;
  }

  async function send(method, url, body) {
    const r = await fetch(url, {
      method: method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'omit',
      cache: 'no-store',
    });
    let json = null;
    try {
      json = await r.json();
    } catch {
      json = null;
    }
    return { status: r.status, json: json };
  }

  function refused(r) {
    if (r.status === 404) {
      showGone();
    } else if (r.status === 429) {
      say(t.tooMany, true);
    } else if (r.json && r.json.error) {
      say(r.json.error.message, true);
      const field = /^(.+) item (\d+)$/.exec(r.json.error.field || '');
      if (field) {
        const set = questions.querySelector('fieldset[data-instrument="' + field[1] +
          '"][data-item="' + field[2] + '"]');
        if (set) set.classList.add('missing');
      }
    } else {
      say(t.failed, true);
    }
  }

  async function save() {
    const r = await send('PUT', api, { answers: collect() });
    if (r.status === 200) {
      say(t.saved, false);
    } else {
      refused(r);
    }
  }

  async function submit(event) {
    event.preventDefault();
    const missing = markMissing();
    if (missing > 0) {
      say(t.missing.replace('%d', String(missing)), true);
      return;
    }
    const button = document.getElementById('survey-submit');
    button.disabled = true;
    try {
      const r = await send('POST', api + '/submit', { answers: collect() });
      if (r.status === 201) {
        form.hidden = true;
        say('', false);
        document.getElementById('survey-intro').textContent = '';
        document.getElementById('survey-thanks').textContent = t.thanks;
        document.getElementById('survey-thanks-text').textContent = t.thanksText;
        document.getElementById('survey-done').hidden = false;
      } else {
        refused(r);
      }
    } finally {
      button.disabled = false;
    }
  }

  async function load() {
    try {
      const r = await send('GET', api);
      if (r.status === 200 && r.json) {
        render(r.json);
      } else {
        refused(r);
      }
    } catch {
      say(t.failed, true);
    }
  }

  document.getElementById('survey-save').addEventListener('click', () => {
    save().catch(() => say(t.failed, true));
  });
  form.addEventListener('submit', (e) => {
    submit(e).catch(() => say(t.failed, true));
  });
  load();
})();
