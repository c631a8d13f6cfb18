// Shared by every page: the API wrapper (CSRF header, 401 -> sign-in page, the server's error
// message), status messages in aria-live regions, the page header and small DOM helpers.
// Plain JavaScript, no inline code anywhere: the pages' CSP allows scripts from 'self' only.
'use strict';

const Balint = (function () {
  const homes = {
    coordinator: '/coordinator.html',
    leader: '/leader.html',
    analyst: '/analyst.html',
    admin: '/admin.html',
  };
  const roleNames = {
    coordinator: 'trial coordinator',
    leader: 'group leader',
    analyst: 'analyst',
    admin: 'admin',
  };
  let csrfToken = '';
  /** The trial this page works on (?trial=ID, chosen on the sign-in page); '' for the site's only one. */
  const trialId = new URLSearchParams(window.location.search).get('trial') || '';
  /** Routes of the site itself, never of a trial (docs/api.md, "Several trials"). */
  const sitePaths = ['/api/login', '/api/logout', '/api/trials'];

  /** An answer of the API that is not 2xx: the server's code, field and message. */
  class ApiError extends Error {
    constructor(status, code, message, field) {
      super(message);
      this.status = status;
      this.code = code;
      this.field = field || '';
    }
  }

  /** The page of a role, in the trial `trial` (default: this page's trial). */
  function homeOf(role, trial) {
    const home = homes[role] || '';
    const id = trial === undefined ? trialId : trial;
    return home && id ? home + '?trial=' + encodeURIComponent(id) : home;
  }

  /** The API path as this page's trial serves it: /api/x -> /api/trials/ID/x. */
  function routed(path) {
    if (!trialId || !path.startsWith('/api/') || sitePaths.includes(path.split('?')[0])) return path;
    return '/api/trials/' + encodeURIComponent(trialId) + path.slice(4);
  }

  function roleName(role) {
    return roleNames[role] || role;
  }

  /**
   * Calls the API. GET answers are parsed JSON; every other method sends X-CSRF-Token.
   * 401 (not signed in, session ended) goes to the sign-in page unless redirectOn401 is false.
   * Anything but 2xx throws ApiError carrying the server's error.message.
   */
  async function api(method, path, body, options) {
    const opts = Object.assign({ redirectOn401: true }, options || {});
    const headers = { Accept: 'application/json' };
    const init = { method: method, headers: headers, credentials: 'same-origin' };
    if (method !== 'GET' && method !== 'HEAD') {
      if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
    }
    let response;
    try {
      response = await fetch(routed(path), init);
    } catch (e) {
      throw new ApiError(0, 'network', 'the server did not answer (' + e.message +
        '); check the connection and try again', '');
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null; // not JSON (a proxy's error page): the status says enough
      }
    }
    if (response.status === 401 && opts.redirectOn401) {
      window.location.assign('/?session=ended');
      throw new ApiError(401, 'unauthenticated', 'sign in again', 'session');
    }
    if (!response.ok) {
      const e = data && data.error ? data.error : {};
      throw new ApiError(response.status, e.code || 'http_' + response.status,
        e.message || 'the server answered ' + response.status + ' ' + response.statusText,
        e.field);
    }
    // The sign-in answers the token; so does /api/me, for a page opened while signed in.
    if ((path === '/api/login' || path === '/api/me') && data && data.csrf_token) {
      csrfToken = data.csrf_token;
    }
    return data;
  }

  /** Shows a message in a status region (role=status, aria-live=polite). kind: ok, error, info. */
  function say(region, text, kind) {
    if (!region) return;
    region.textContent = '';
    region.classList.remove('ok', 'error', 'info');
    if (!text) return;
    region.classList.add(kind || 'info');
    region.textContent = text;
  }

  /** Shows what the server refused, in its own words. */
  function sayError(region, err) {
    const message = err && err.message ? err.message : String(err);
    say(region, 'Not done: ' + message, 'error');
  }

  /** el('p', {className: 'x', text: 'hi'}, child, ...): props are element properties, except
   *  attrs (set with setAttribute), text (textContent) and on<Event> listeners (onclick...). */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null) continue;
      if (key === 'attrs') {
        for (const [a, v] of Object.entries(value)) {
          if (v !== undefined && v !== null && v !== false) node.setAttribute(a, v === true ? '' : v);
        }
      } else if (key === 'text') {
        node.textContent = value;
      } else if (key.startsWith('on') && typeof value === 'function') {
        node.addEventListener(key.slice(2), value);
      } else {
        node[key] = value;
      }
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  /** A number with fixed decimals, or an en dash when missing. */
  function num(x, digits) {
    if (x === null || x === undefined || Number.isNaN(x)) return '–';
    const d = digits === undefined ? 2 : digits;
    const s = Number(x).toFixed(d);
    return s.startsWith('-') ? '−' + s.slice(1) : s;
  }

  function pValue(p) {
    if (p === null || p === undefined) return '–';
    return p < 0.001 ? '< 0.001' : num(p, 3);
  }

  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov',
    'Dec'];

  /** "2016-10-26T17:30:00+08:00" -> "Wed 26 Oct 2016, 17:30": the trial's local time as sent,
   *  never converted to the browser's time zone. */
  function localDateTime(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso || '');
    if (!m) return iso || '';
    const day = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return weekdays[day.getUTCDay()] + ' ' + (+m[3]) + ' ' + months[+m[2] - 1] + ' ' + m[1] +
      ', ' + m[4] + ':' + m[5];
  }

  /** The browser's local date as YYYY-MM-DD. */
  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, '0');
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
  }

  function armLabel(trial, id) {
    const arm = trial && trial.arms ? trial.arms.find((a) => a.id === id) : null;
    return arm ? arm.label : id;
  }

  function instrumentLabel(id) {
    return String(id).toUpperCase();
  }

  /** The elements with these ids, in the order given (null where the page has none). */
  function byIds(...ids) {
    return ids.map((id) => document.getElementById(id));
  }

  /**
   * Wires the form `formId`: on submit the page stays, `send(form, status)` runs, and when it
   * throws, the form's status region (`statusId`) shows the server's words and the field the
   * server named gets the focus, so the user sees what to correct and where.
   */
  function onSubmit(formId, statusId, send) {
    const [form, status] = byIds(formId, statusId);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await send(form, status);
      } catch (err) {
        sayError(status, err);
        const field = err.field && form.elements[err.field];
        if (field && field.focus) field.focus();
      }
    });
  }

  /**
   * Starts a page: GET /api/me (401 -> sign-in page), GET /api/trial, fills the header and wires
   * sign-out. When the user's role is not among `roles`, says so in `status` and links to the
   * user's own page; the page still asks the API, which answers with its own refusal.
   */
  async function start(roles, status) {
    const me = await api('GET', '/api/me');
    csrfToken = me.csrf_token || '';
    const name = document.getElementById('user-name');
    if (name) name.textContent = me.user === roleName(me.role) ? me.user : me.user + ' (' + roleName(me.role) + ')';
    const signOut = document.getElementById('sign-out');
    if (signOut) signOut.addEventListener('click', signOutNow);
    let trial = null;
    try {
      trial = await api('GET', '/api/trial');
      const title = document.getElementById('trial-title');
      if (title && trial && trial.title) title.textContent = trial.title;
      if (trial && trial.title) document.title = document.title + ' - ' + trial.title;
    } catch (err) {
      sayError(status, err);
    }
    if (!roles.includes(me.role)) {
      const own = homeOf(me.role);
      const notice = document.getElementById('role-notice');
      if (notice) {
        notice.textContent = '';
        notice.append('This page is for the ' + roles.map(roleName).join(' or ') +
          '. You are signed in as ' + me.user + ' (' + roleName(me.role) + ').');
        if (own) notice.append(' ', el('a', { href: own, text: 'Go to your page' }), '.');
        notice.hidden = false;
      }
    }
    return { me: me, trial: trial || { title: '', arms: [], timepoints: [], instruments: [] } };
  }

  /** Starts the page (see start), then runs `load(session)`; a failure of either shows in `status`. */
  function run(roles, status, load) {
    start(roles, status)
      .then(load)
      .catch((err) => sayError(status, err));
  }

  async function signOutNow() {
    try {
      await api('POST', '/api/logout', undefined, { redirectOn401: false });
    } catch {
      // Signed out already, or the session had ended: the sign-in page is the answer either way.
    }
    window.location.assign('/');
  }

  return {
    ApiError: ApiError,
    api: api,
    say: say,
    sayError: sayError,
    el: el,
    num: num,
    pValue: pValue,
    localDateTime: localDateTime,
    today: today,
    armLabel: armLabel,
    instrumentLabel: instrumentLabel,
    homeOf: homeOf,
    routed: routed,
    trialId: trialId,
    roleName: roleName,
    byIds: byIds,
    onSubmit: onSubmit,
    start: start,
    run: run,
  };
})();
