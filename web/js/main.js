// Sign-in, the pages a role may see, and the page the address names.
import { ApiError, get, signIn, signOut, token } from './api.js';
import { t, translatePage, switchLanguage } from './i18n.js';
import { clear, showMessage } from './dom.js';
import * as dashboard from './dashboard.js';
import * as application from './application.js';
import * as counter from './counter.js';

const pages = {
  dashboard: { module: dashboard, roles: ['operator', 'admin'] },
  application: { module: application, roles: ['operator', 'admin'] },
  counter: { module: counter, roles: ['branch'] },
};

const session = { me: null, clerk: '' };
let stopPage = null;

function allowed(page) {
  return session.me !== null && pages[page].roles.includes(session.me.role);
}

function route() {
  if (stopPage) stopPage();
  stopPage = null;
  showMessage('');
  const [name, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const first = Object.keys(pages).find(allowed);
  if (!pages[name] || !allowed(name)) {
    if (first) location.hash = `#/${first}`;
    return;
  }
  for (const link of document.querySelectorAll('#nav a'))
    link.classList.toggle('current', link.getAttribute('href') === `#/${name}`);
  const view = clear(document.getElementById('view'));
  view.hidden = false;
  stopPage = pages[name].module.show(view, session, decodeURIComponent(rest.join('/'))) ?? null;
}

async function start() {
  translatePage();
  if (!token()) return;
  try {
    session.me = await get('/api/v1/me');
  } catch (e) {
    signOut();
    const error = document.getElementById('sign-in-error');
    error.textContent = e instanceof ApiError && e.status === 401 ? t('sign_in.bad') : e.message;
    return;
  }
  session.clerk = sessionStorage.getItem('cardd.clerk') ?? '';
  document.getElementById('sign-in').hidden = true;
  document.getElementById('sign-out').hidden = false;
  document.getElementById('nav').hidden = false;
  for (const link of document.querySelectorAll('#nav a'))
    link.hidden = !allowed(link.getAttribute('href').slice(2));
  const who = session.me.role + (session.me.branch ? ` ${session.me.branch}` : '');
  document.getElementById('who').textContent = session.clerk ? `${session.clerk} · ${who}` : who;
  if (!Object.keys(pages).some(allowed)) {
    showMessage(t('sign_in.no_pages') + session.me.role);
    return;
  }
  route();
}

document.getElementById('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  signIn(document.getElementById('token').value.trim());
  sessionStorage.setItem('cardd.clerk', document.getElementById('clerk').value.trim());
  document.getElementById('token').value = '';
  start();
});
document.getElementById('sign-out').addEventListener('click', () => {
  signOut();
  location.hash = '';
  location.reload();
});
document.getElementById('lang').addEventListener('click', () => {
  switchLanguage();
  if (session.me) route();
});
window.addEventListener('hashchange', route);
start();
