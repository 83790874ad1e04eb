import { api, h, route, session, loadToken, saveToken, forgetToken, showError, ApiError } from './core.js';
import * as search from './search.js';
import * as access from './access.js';
import * as handle from './handle.js';
import * as alerts from './alerts.js';
import * as rules from './rules.js';

const PAGES = { search, access, handle, alerts, rules };
const TITLES = { search: 'Search', access: 'Agent access', handle: 'Handle', alerts: 'Alerts', rules: 'Alert rules' };
const main = document.getElementById('main');
let rendering = 0;

async function show() {
  const mine = ++rendering;
  showError(null);
  if (!session.token) {
    signIn();
    return;
  }
  try {
    if (!session.me) {
      session.me = await api('/whoami');
      document.getElementById('who').textContent =
        session.me.principal + ' · ' + session.me.role + ' · ' + session.me.tenants.join(', ');
      document.getElementById('signout').hidden = false;
      document.querySelector('nav a[data-page="rules"]').hidden = !session.me.may_manage_rules;
    }
    const { page, params } = route();
    const view = PAGES[page] || search;
    document.title = (TITLES[page] || 'Search') + ' · mcp-audit';
    document.querySelectorAll('nav a').forEach((a) => {
      if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
    await view.render(main, params);
  } catch (e) {
    if (mine !== rendering) return; // a newer view replaced this one
    if (e instanceof ApiError && e.status === 401) {
      forgetToken();
      signIn('That token was not accepted (' + e.message + '). Paste a valid one.');
      return;
    }
    showError(e);
  }
}

function signIn(message) {
  document.getElementById('who').textContent = '';
  document.getElementById('signout').hidden = true;
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-label': 'API token' });
  const form = h('form', { class: 'panel signin' },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Paste an API token. It is kept in this browser tab only and sent with each request; nothing is stored on the server.'),
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
    h('label', { for: 'token' }, 'Token'), input,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    saveToken(input.value.trim());
    show();
  });
  main.replaceChildren(form);
  input.focus();
}

document.getElementById('signout').addEventListener('click', () => {
  forgetToken();
  location.hash = '#/search';
  signIn();
});
window.addEventListener('hashchange', () => { loadToken(); show(); });
loadToken();
show();
