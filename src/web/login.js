// The sign-in page: POST /api/login, then go to the page of the user's role.
'use strict';

(function () {
  const form = document.getElementById('login-form');
  const status = document.getElementById('login-status');
  const user = document.getElementById('login-user');
  const password = document.getElementById('login-password');

  if (new URLSearchParams(window.location.search).get('session') === 'ended') {
    Balint.say(status, 'You are not signed in (or your session has ended): sign in to continue.',
      'info');
  }

  const picker = document.getElementById('trial-picker');
  const pickerList = document.getElementById('trial-list');

  /**
   * After signing in: the trials the user has a role in. One: straight to its page. Several:
   * the picker, one link per trial with the user's role there.
   */
  async function openTrials(me) {
    const trials = await Balint.api('GET', '/api/trials');
    const mine = trials.filter((t) => t.your_role && Balint.homeOf(t.your_role, t.id));
    if (mine.length === 1 && trials.length === 1) {
      window.location.assign(Balint.homeOf(mine[0].your_role, mine[0].id));
      return;
    }
    pickerList.textContent = '';
    for (const t of trials) {
      const item = Balint.el('li', {});
      if (t.your_role) {
        item.append(Balint.el('a', { href: Balint.homeOf(t.your_role, t.id), text: t.title }),
          ' (' + t.id + '): you are ' + Balint.roleName(t.your_role));
      } else {
        item.append(t.title + ' (' + t.id + '): no role for you yet; give yourself one with ' +
          "'balint-trial user grant'");
      }
      pickerList.append(item);
    }
    picker.hidden = false;
    form.hidden = true;
    Balint.say(status, trials.length
      ? 'Signed in as ' + me.user + '. Choose a trial.'
      : 'Signed in as ' + me.user + ', but this site holds no trial you have a role in; ask its admin.',
    trials.length ? 'ok' : 'info');
  }

  // Already signed in (a bookmark of "/"): straight on to the trials.
  Balint.api('GET', '/api/me', undefined, { redirectOn401: false })
    .then((me) => {
      if (me) return openTrials(me);
      return undefined;
    })
    .catch(() => {});

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!user.value.trim() || !password.value) {
      Balint.say(status, 'Enter your user name and your password.', 'error');
      (user.value.trim() ? password : user).focus();
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    Balint.say(status, 'Signing in…', 'info');
    try {
      const me = await Balint.api('POST', '/api/login',
        { user: user.value.trim(), password: password.value }, { redirectOn401: false });
      Balint.say(status, 'Signed in as ' + me.user + '. Opening your trials…', 'ok');
      await openTrials(me);
    } catch (err) {
      Balint.sayError(status, err);
      password.value = '';
      password.focus();
    } finally {
      button.disabled = false;
    }
  });
})();
