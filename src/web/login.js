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

  // Already signed in (a bookmark of "/"): go straight to the role's page.
  Balint.api('GET', '/api/me', undefined, { redirectOn401: false })
    .then((me) => {
      if (me && Balint.homeOf(me.role)) window.location.assign(Balint.homeOf(me.role));
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
      const home = Balint.homeOf(me.role);
      if (!home) {
        Balint.say(status, 'Signed in, but the role "' + me.role + '" has no page here.', 'error');
        return;
      }
      Balint.say(status, 'Signed in as ' + me.user + '. Opening your page…', 'ok');
      window.location.assign(home);
    } catch (err) {
      Balint.sayError(status, err);
      password.value = '';
      password.focus();
    } finally {
      button.disabled = false;
    }
  });
})();
