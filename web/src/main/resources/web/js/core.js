// Shared plumbing: the token, API calls, URL state, and DOM building without innerHTML
// (every value shown comes from events: it is always set as text, never parsed as markup).

const TOKEN_KEY = 'mcp-audit.token';
export const session = { token: null, me: null };

export function loadToken() {
  // The sign-in link carries the token in the fragment, which never reaches the server; move it
  // into this tab's sessionStorage and out of the address bar (and its history) at once.
  const m = location.hash.match(/^#token=([^&]+)/);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', location.pathname + location.search + '#/search');
  }
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token !== session.token) session.me = null; // another identity: ask the server again what it may do
  session.token = token;
  return session.token;
}

export function saveToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  session.token = token;
  session.me = null;
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  session.token = null;
  session.me = null;
}

export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
  }
}

function query(params) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, v);
  }
  const s = qs.toString();
  return s ? '?' + s : '';
}

async function call(path, params, init) {
  let res;
  try {
    res = await fetch('/api/v1' + path + query(params), {
      method: (init && init.method) || 'GET',
      headers: { Authorization: 'Bearer ' + session.token, Accept: 'application/json', ...((init && init.headers) || {}) },
      body: init && init.body,
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'The server cannot be reached', e.message);
  }
  if (!res.ok) {
    let title = `HTTP ${res.status}`;
    let detail = '';
    try {
      const p = await res.json();
      title = p.title || title;
      detail = p.detail || '';
    } catch (ignored) { /* not problem+json */ }
    throw new ApiError(res.status, title, detail);
  }
  return res;
}

export async function api(path, params) {
  return (await call(path, params)).json();
}

/** A change: the JSON body sent, the JSON answer returned (a 409 or 400 throws ApiError). */
export async function apiSend(method, path, params, body, headers) {
  const res = await call(path, params, {
    method,
    headers: { 'Content-Type': 'application/json', ...(headers || {}) },
    body: JSON.stringify(body),
  });
  return res.json();
}

/** A deletion: nothing comes back (204). */
export async function apiDelete(path, params) {
  await call(path, params, { method: 'DELETE' });
}

/** The OWASP Top 10 for Agentic Applications (2026), by identifier (README, "Alert rules"). */
export const OWASP = {
  ASI01: 'Agent Goal Hijack', ASI02: 'Tool Misuse and Exploitation', ASI03: 'Identity and Privilege Abuse',
  ASI04: 'Agentic Supply Chain Vulnerabilities', ASI05: 'Unexpected Code Execution', ASI06: 'Memory and Context Poisoning',
  ASI07: 'Insecure Inter-Agent Communication', ASI08: 'Cascading Failures', ASI09: 'Human-Agent Trust Exploitation',
  ASI10: 'Rogue Agents',
};

/** OWASP identifiers as small tags, each titled with its risk. */
export function owaspTags(ids) {
  return (ids || []).map((id) => h('span', { class: 'badge owasp', title: OWASP[id] || id, 'data-owasp': id }, id));
}

export async function apiBlob(path, params) {
  return (await call(path, params)).blob();
}

/** h('a', {href: '#', class: 'x', onclick: fn}, 'text', child) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function svg(tag, attrs) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  return el;
}

/** The page and its parameters, from '#/page?k=v&k=v'. */
export function route() {
  const m = location.hash.match(/^#\/([a-z]*)(?:\?(.*))?$/);
  return { page: (m && m[1]) || 'search', params: new URLSearchParams((m && m[2]) || '') };
}

export function href(page, params) {
  const qs = params instanceof URLSearchParams ? params : new URLSearchParams();
  if (!(params instanceof URLSearchParams)) {
    for (const [k, v] of Object.entries(params || {})) {
      if (Array.isArray(v)) v.forEach((x) => qs.append(k, x));
      else if (v !== undefined && v !== null && v !== '') qs.set(k, v);
    }
  }
  const s = qs.toString();
  return '#/' + page + (s ? '?' + s : '');
}

export function go(page, params) {
  location.hash = href(page, params);
}

export function showError(e) {
  const box = document.getElementById('error');
  if (!e) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.textContent = e instanceof ApiError ? e.message : 'Something went wrong: ' + e.message;
  box.hidden = false;
}

export const fmt = {
  n: (x) => Number(x).toLocaleString('en-US'),
  time: (iso) => (iso ? iso.replace('T', ' ').replace(/(\.\d{3})\d*/, '$1').replace('Z', ' UTC') : ''),
  /** Month-day and time to the millisecond (UTC): what a table row needs; the title has the rest. */
  shortTime: (iso) => (iso ? iso.slice(5, 10) + ' ' + iso.slice(11, 23) : ''),
  /** Long ids keep their distinctive end: spiffe://acme.example/agent/x -> …example/agent/x */
  tail: (v, n = 30) => (v && v.length > n ? '…' + v.slice(v.length - n + 1) : v || ''),
};

/** A time cell: short text, the full UTC time as a tooltip. */
export function timeCell(iso) {
  return h('td', { class: 'mono t', title: fmt.time(iso) }, fmt.shortTime(iso));
}

/** Lucene: a value as a quoted phrase, so ':' and '/' in ids are taken literally. */
export function quoted(v) {
  return '"' + String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

export function decisionBadge(d) {
  return d ? h('span', { class: 'badge ' + d, text: d }) : h('span', { class: 'muted', text: '—' });
}

export const PRESETS = [
  ['now-15m', 'Last 15 minutes'], ['now-1h', 'Last hour'], ['now-24h', 'Last 24 hours'],
  ['now-7d', 'Last 7 days'], ['now-30d', 'Last 30 days'],
];

/** A range picker: presets plus a custom from/to, bound to the given params. */
export function rangePicker(params) {
  const from = params.get('from') || 'now-24h';
  const to = params.get('to') || '';
  const isPreset = !to && PRESETS.some(([v]) => v === from);
  const select = h('select', { name: 'range', 'aria-label': 'Time range' },
    PRESETS.map(([v, label]) => h('option', { value: v, selected: isPreset && v === from }, label)),
    h('option', { value: 'custom', selected: !isPreset }, 'Custom range…'));
  const fromIn = h('input', { name: 'from', 'aria-label': 'From (RFC 3339 or now-1h)', placeholder: 'from: 2026-11-26T09:00:00Z', value: isPreset ? '' : from, size: 24 });
  const toIn = h('input', { name: 'to', 'aria-label': 'To (RFC 3339 or now)', placeholder: 'to: now', value: to, size: 24 });
  const custom = h('span', { class: 'custom', hidden: isPreset }, fromIn, ' ', toIn);
  select.addEventListener('change', () => { custom.hidden = select.value !== 'custom'; });
  return {
    el: h('span', { class: 'range' }, select, ' ', custom),
    read() {
      return select.value === 'custom' ? { from: fromIn.value.trim(), to: toIn.value.trim() } : { from: select.value, to: '' };
    },
  };
}
