// The admin's page: the users of the web application (add, disable; in a trial of a site of
// several trials, give a site account a role here) and the audit trail check.
'use strict';

(function () {
  const { api, el, say, sayError } = Balint;
  const [pageStatus, usersStatus] = Balint.byIds('page-status', 'users-status');
  const tbody = document.querySelector('#users tbody');
  let me = null;

  function day(iso) {
    // The server records times in UTC ("...Z"); say so rather than pass them off as local.
    if (!iso) return '–';
    const text = String(iso);
    return text.replace('T', ' ').slice(0, 16) + (text.endsWith('Z') ? ' UTC' : '');
  }

  function actionsFor(u, cell) {
    cell.textContent = '';
    if (u.disabled_at) return;
    if (me && u.name === me.user) {
      cell.append(el('span', { className: 'hint', text: 'You' }));
      return;
    }
    cell.append(el('button', { type: 'button', className: 'danger', text: 'Disable',
      attrs: { 'aria-label': 'Disable ' + u.name }, onclick: () => confirmDisable(u, cell) }));
  }

  function confirmDisable(u, cell) {
    cell.textContent = '';
    const confirm = el('button', { type: 'button', className: 'danger primary', text: 'Confirm disable',
      attrs: { 'aria-label': 'Confirm disabling ' + u.name }, onclick: () => disable(u, confirm) });
    cell.append(el('p', { text: 'Disable ' + u.name + '? Their sessions end now; their audit entries stay.' }),
      el('div', { className: 'actions' }, confirm,
        el('button', { type: 'button', text: 'Cancel', onclick: () => actionsFor(u, cell) })));
    confirm.focus();
  }

  async function disable(u, button) {
    button.disabled = true;
    try {
      await api('POST', '/api/users/' + encodeURIComponent(u.name) + '/disable');
      await load();
      say(usersStatus, u.name + ' is disabled.', 'ok');
    } catch (err) {
      button.disabled = false;
      sayError(usersStatus, err);
    }
  }

  async function load() {
    const users = await api('GET', '/api/users');
    tbody.textContent = '';
    for (const u of users) {
      const actions = el('td', {});
      actionsFor(u, actions);
      tbody.append(el('tr', { attrs: { 'data-user': u.name } },
        el('th', { scope: 'row', text: u.name }),
        el('td', { text: Balint.roleName(u.role) }),
        el('td', { text: day(u.created_at) }),
        el('td', {}, u.disabled_at
          ? el('span', { className: 'tag bad', text: 'Disabled ' + day(u.disabled_at) })
          : el('span', { className: 'tag good', text: 'Active' })),
        actions));
    }
  }

  document.getElementById('verify-audit').addEventListener('click', async (event) => {
    const status = document.getElementById('audit-status');
    const button = event.currentTarget;
    button.disabled = true;
    say(status, 'Verifying the audit trail…', 'info');
    try {
      const v = await api('GET', '/api/audit/verify');
      if (v.ok) {
        say(status, 'The audit trail is intact: ' + v.entries + ' entries, every hash checks. Head hash ' +
          v.head_hash + '.', 'ok');
      } else {
        say(status, 'The audit trail is broken' + (v.first_broken ? ' at entry ' + v.first_broken : '') +
          ': ' + (v.problem || 'a hash does not match') + ' (' + v.entries + ' entries).', 'error');
      }
    } catch (err) {
      sayError(status, err);
    } finally {
      button.disabled = false;
    }
  });

  /** In a trial of a site of several trials the accounts belong to the site: the form gives an
   *  existing account a role in this trial (POST /api/users without a password). */
  function grantsRoles() {
    return Boolean(me && me.grants_roles);
  }

  function showGrantForm() {
    document.getElementById('add-user-heading').textContent = 'Give an account a role in this trial';
    const form = document.getElementById('add-user-form');
    form.querySelector('.hint').textContent = 'The account must exist at the site (an admin adds it ' +
      "with 'balint-trial user add --db SITE'). It signs in with its one password and sees this " +
      'trial with the role given here.';
    const password = document.getElementById('user-password');
    password.required = false;
    password.closest('.field').hidden = true;
    form.querySelector('button[type=submit]').textContent = 'Give the role';
  }

  Balint.onSubmit('add-user-form', 'add-user-status', async (form, status) => {
    const body = {
      name: form.elements.name.value.trim(),
      role: form.elements.role.value,
    };
    if (!grantsRoles()) body.password = form.elements.password.value;
    await api('POST', '/api/users', body);
    form.reset();
    say(status, (grantsRoles() ? 'Gave ' + body.name + ' the role ' : 'Added ' + body.name + ' as ') +
      Balint.roleName(body.role) + (grantsRoles() ? ' in this trial.' : '.'), 'ok');
    await load();
  });

  Balint.run(['admin'], pageStatus, (s) => {
    me = s.me;
    if (grantsRoles()) showGrantForm();
    return load();
  });
})();
