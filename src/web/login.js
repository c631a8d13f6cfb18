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
  const newTrial = document.getElementById('new-trial');
  const newTrialForm = document.getElementById('new-trial-form');
  const newTrialFile = document.getElementById('new-trial-file');
  const newTrialText = document.getElementById('new-trial-definition');
  const newTrialStatus = document.getElementById('new-trial-status');
  let signedIn = null;

  /**
   * After signing in: the trials the user has a role in. One: straight to its page. Several:
   * the picker, one link per trial with the user's role there.
   */
  async function openTrials(me) {
    signedIn = me;
    const trials = await Balint.api('GET', '/api/trials');
    const mine = trials.filter((t) => t.your_role && Balint.homeOf(t.your_role, t.id));
    // A site admin at a site of several trials may start another one here.
    const mayCreate = me.role === 'admin' && me.many_trials === true;
    if (mine.length === 1 && trials.length === 1 && !mayCreate) {
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
    newTrial.hidden = !mayCreate;
    form.hidden = true;
    Balint.say(status, trials.length
      ? 'Signed in as ' + me.user + '. Choose a trial.'
      : 'Signed in as ' + me.user + ', but this site holds no trial you have a role in; ask its admin.',
    trials.length ? 'ok' : 'info');
  }

  // A chosen file fills the text box, where the admin can still read and change it.
  newTrialFile.addEventListener('change', async () => {
    const file = newTrialFile.files && newTrialFile.files[0];
    if (!file) return;
    newTrialText.value = await file.text();
    Balint.say(newTrialStatus, 'Read ' + file.name + '; check it, then create the trial.', 'info');
  });

  newTrialForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    let definition;
    try {
      definition = JSON.parse(newTrialText.value);
    } catch (e) {
      Balint.say(newTrialStatus, 'Not done: the definition is not JSON (' + e.message +
        '); choose the trial\'s .json file or paste its text.', 'error');
      newTrialText.focus();
      return;
    }
    const button = newTrialForm.querySelector('button[type=submit]');
    button.disabled = true;
    Balint.say(newTrialStatus, 'Creating the trial…', 'info');
    try {
      const made = await Balint.api('POST', '/api/trials', { definition: definition });
      newTrialText.value = '';
      newTrialFile.value = '';
      await openTrials(signedIn);
      Balint.say(newTrialStatus, 'Created ' + made.title + ' (' + made.id +
        '). Its allocation list is sealed; commitment ' + made.commitment + '.', 'ok');
    } catch (err) {
      Balint.sayError(newTrialStatus, err);
    } finally {
      button.disabled = false;
    }
  });

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
