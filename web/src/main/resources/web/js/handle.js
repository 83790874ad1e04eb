import { api, h, href, go, fmt, quoted, decisionBadge, timeCell } from './core.js';

/** Handle timeline: its life in order, with the uses after revocation or expiry marked. */
export async function render(main, params) {
  const id = params.get('id') || '';
  const input = h('input', { name: 'id', id: 'handle-input', value: id, size: 48, 'aria-label': 'Handle id', placeholder: 'h_…', required: true });
  const form = h('form', { class: 'bar' }, input, h('button', { type: 'submit' }, 'Show handle'));
  form.addEventListener('submit', (e) => { e.preventDefault(); go('handle', { id: input.value.trim() }); });
  main.replaceChildren(h('h1', {}, 'Handle timeline'), h('div', { class: 'panel' }, form));
  if (!id) {
    main.append(h('p', { class: 'muted' }, 'Enter a handle id; handle ids in search results and alerts link here.'));
    return;
  }
  const t = await api('/handles/' + encodeURIComponent(id));
  const issued = t.issued;
  const revokedAt = t.revoked_at ? Date.parse(t.revoked_at) : null;
  const expiresAt = t.expires_at ? Date.parse(t.expires_at) : null;

  const facts = h('dl', { class: 'kv' },
    h('dt', {}, 'Handle'), h('dd', { class: 'mono' }, t.id),
    h('dt', {}, 'Issued'), h('dd', {}, issued ? fmt.time(issued.occurred_at) + ' to ' + (issued.actor ? issued.actor.id : '?') : 'no handle.issued event in the index'),
    h('dt', {}, 'Scopes'), h('dd', { class: 'mono' }, issued && issued.handle.scopes ? issued.handle.scopes.join(', ') : '—'),
    h('dt', {}, 'Issuer'), h('dd', { class: 'mono' }, issued && issued.handle.issuer ? issued.handle.issuer : '—'),
    h('dt', {}, 'Expires'), h('dd', { id: 'handle-expires' }, t.expires_at ? fmt.time(t.expires_at) : '—'),
    h('dt', {}, 'Revoked'), h('dd', { id: 'handle-revoked' }, t.revoked_at ? fmt.time(t.revoked_at) + (t.revoked && t.revoked.reason ? ' — ' + t.revoked.reason : '') : 'no'),
    h('dt', {}, 'Actors'), h('dd', { class: 'mono' }, t.actors.map((a) => [h('a', { href: href('access', { actor: a }) }, a), ' '])),
    h('dt', {}, 'Tools'), h('dd', {}, t.tools.join(', ') || '—'));

  const cards = h('div', { class: 'cards' },
    card('Decisions', t.decisions, 'decisions'), card('Allowed', t.allow, 'allow'), card('Denied', t.deny, 'deny'),
    card('Allowed after revocation', t.allowed_after_revocation, 'allowed-after-revocation', t.allowed_after_revocation > 0),
    card('Attempts after revocation', t.attempts_after_revocation, 'attempts-after-revocation'),
    card('Allowed after expiry', t.allowed_after_expiry, 'allowed-after-expiry', t.allowed_after_expiry > 0));

  const rows = [];
  let revokedShown = false;
  let expiryShown = false;
  for (const e of t.events) {
    const at = Date.parse(e.occurred_at);
    if (expiresAt !== null && !expiryShown && at >= expiresAt && e.kind !== 'handle.expired') {
      rows.push(marker('expiry', 'Expired ' + fmt.time(t.expires_at)));
      expiryShown = true;
    }
    if (e.kind === 'handle.revoked') revokedShown = true;
    const afterRevocation = revokedAt !== null && e.kind === 'decision' && at > revokedAt;
    const afterExpiry = expiresAt !== null && e.kind === 'decision' && at >= expiresAt;
    const cls = e.kind === 'handle.revoked' || e.kind === 'handle.expired' ? 'marker'
      : afterRevocation && e.decision === 'allow' ? 'after-revocation'
        : afterExpiry && e.decision === 'allow' ? 'after-expiry' : null;
    rows.push(h('tr', { class: cls, 'data-event-id': e.event_id, 'data-kind': e.kind },
      timeCell(e.occurred_at),
      h('td', {}, e.kind === 'decision' ? decisionBadge(e.decision) : e.kind),
      h('td', {}, e.tool ? e.tool.server + ' / ' + e.tool.name : ''),
      h('td', { class: 'mono' }, e.reason_code || (e.kind === 'handle.revoked' ? 'REVOKED' : '')),
      h('td', { class: 'mono' }, e.actor ? e.actor.id : ''),
      h('td', { class: 'mono' }, e.source ? [e.source.gateway, e.source.worker].filter(Boolean).join(' / ') : ''),
      h('td', {}, afterRevocation && e.decision === 'allow' ? h('strong', {}, 'after revocation')
        : afterExpiry && e.decision === 'allow' ? h('strong', {}, 'after expiry') : '')));
  }
  if (revokedAt !== null && !revokedShown) rows.push(marker('revocation', 'Revoked ' + fmt.time(t.revoked_at)));
  const table = h('table', { id: 'handle-events' },
    h('thead', {}, h('tr', {}, ['Time', 'Event', 'Tool', 'Reason', 'Actor', 'Gateway / worker', ''].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
  main.append(h('div', { class: 'panel' }, facts), h('div', { class: 'panel' }, cards),
    h('div', { class: 'panel' }, h('h2', {}, 'Timeline (oldest first)'),
      t.events.length ? h('div', { class: 'scroll' }, table) : h('p', { class: 'muted' }, 'No events for this handle in the tenants this token sees.'),
      h('p', {}, h('a', { href: href('search', { q: 'handle.id:' + quoted(t.id), from: 'now-30d' }) }, 'All events of this handle in search'))));
}

function marker(kind, text) {
  return h('tr', { class: 'marker', 'data-marker': kind }, h('td', { colspan: '7' }, text));
}

function card(label, n, key, bad) {
  return h('div', { class: 'card' + (bad ? ' bad' : ''), id: key, 'data-value': n },
    h('div', { class: 'muted' }, label), h('div', { class: 'big' }, fmt.n(n)));
}
