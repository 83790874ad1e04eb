import { api, h, href, go, fmt, quoted, decisionBadge, rangePicker, timeCell } from './core.js';

const TYPES = ['REPLAY', 'REVOKED_HANDLE_USE', 'EXPIRED_HANDLE_USE', 'DENY_BURST', 'INCONSISTENT_DECISION', 'FUTURE_TIMESTAMP', 'CONFLICTING_DUPLICATE'];
const MAX_EVIDENCE_SHOWN = 50;
/** Below this the detector is keeping up (its commits alone take a fraction of a second). */
const LAG_SHOWN_SECONDS = 5;

/** Alerts, newest first; one opened shows the events that make its case. */
export async function render(main, params) {
  const picker = rangePicker(params);
  const type = h('select', { name: 'type', 'aria-label': 'Alert type' }, h('option', { value: '' }, 'Any type'),
    TYPES.map((t) => h('option', { value: t, selected: params.get('type') === t }, t)));
  const severity = h('select', { name: 'severity', 'aria-label': 'Severity' }, h('option', { value: '' }, 'Any severity'),
    ['critical', 'high', 'medium', 'low'].map((s) => h('option', { value: s, selected: params.get('severity') === s }, s)));
  const form = h('form', { class: 'bar' }, type, severity, picker.el, h('button', { type: 'submit' }, 'Show alerts'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const r = picker.read();
    go('alerts', { type: type.value, severity: severity.value, from: r.from, to: r.to });
  });
  main.replaceChildren(h('h1', {}, 'Alerts'), h('div', { class: 'panel' }, form));
  const lag = await api('/detection').catch(() => null);
  if (lag && lag.known && lag.seconds_behind >= LAG_SHOWN_SECONDS) {
    const s = Math.round(lag.seconds_behind);
    main.append(h('p', { class: 'notice', id: 'detection-lag', role: 'status' },
      `Detection is ${fmt.n(s)} s behind (${fmt.n(lag.records_behind)} decision${lag.records_behind === 1 ? '' : 's'} not yet judged): alerts for events of the last ${fmt.n(s)} s may still come.`));
  }
  const range = { from: params.get('from') || 'now-24h', to: params.get('to') || '' };
  const page = await api('/alerts', { type: params.get('type'), severity: params.get('severity'), ...range, limit: 200 });
  const open = params.get('id');
  const rows = page.alerts.map((a) => h('tr', { class: 'event', tabindex: '0', 'data-alert-id': a.alert_id, 'aria-selected': String(a.alert_id === open),
    onclick: () => go('alerts', withId(params, a.alert_id)),
    onkeydown: (e) => { if (e.key === 'Enter') go('alerts', withId(params, a.alert_id)); } },
  timeCell(a.detected_at),
  h('td', {}, h('span', { class: 'badge ' + a.severity }, a.severity)),
  h('td', { class: 'mono' }, a.type),
  h('td', { class: 'mono' }, a.subject),
  h('td', {}, a.tenant),
  h('td', {}, a.summary)));
  main.append(h('div', { class: 'panel' },
    h('div', { class: 'summary' }, h('span', { class: 'count', id: 'alert-count', 'data-total': page.total }, fmt.n(page.total) + (page.total === 1 ? ' alert' : ' alerts'))),
    page.alerts.length
      ? h('div', { class: 'scroll' }, h('table', { id: 'alerts' }, h('thead', {}, h('tr', {}, ['Detected', 'Severity', 'Type', 'Subject', 'Tenant', 'Summary'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows)))
      : h('p', { class: 'muted' }, 'No alerts in this range.')));
  const chosen = page.alerts.find((a) => a.alert_id === open);
  if (chosen) main.append(await detail(chosen));
}

function withId(params, id) {
  const p = new URLSearchParams(params);
  p.set('id', id);
  return p;
}

async function detail(a) {
  const ids = a.evidence.slice(0, MAX_EVIDENCE_SHOWN);
  const events = await Promise.all(ids.map((id) => api('/decisions/' + encodeURIComponent(id)).catch(() => ({ event_id: id, missing: true }))));
  const links = [];
  if (a.handle) links.push(h('a', { href: href('handle', { id: a.handle }) }, 'Handle timeline'));
  if (a.actor) links.push(h('a', { href: href('access', { actor: a.actor }) }, 'Agent access'));
  links.push(h('a', { href: href('search', { q: 'event_id:(' + a.evidence.slice(0, 200).map(quoted).join(' OR ') + ')', from: 'now-30d' }) }, 'Evidence in search'));
  return h('section', { class: 'panel', id: 'alert-detail', 'aria-label': 'Alert ' + a.alert_id },
    h('h2', {}, a.type + ' — ' + a.subject),
    h('p', {}, a.summary),
    h('p', { class: 'exports' }, links.flatMap((l) => [l, ' '])),
    h('p', { class: 'muted mono' }, 'alert ' + a.alert_id + ', ' + a.evidence.length + ' evidence event(s)' + (a.evidence.length > MAX_EVIDENCE_SHOWN ? `, first ${MAX_EVIDENCE_SHOWN} shown` : '')),
    h('div', { class: 'scroll' }, h('table', { id: 'evidence' },
      h('thead', {}, h('tr', {}, ['Time', 'Event', 'Actor', 'Tool', 'Reason', 'Gateway / worker', 'Event id'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, events.map((e) => e.missing
        ? h('tr', { 'data-event-id': e.event_id }, h('td', { colspan: '6', class: 'muted' }, 'not in the index (retention, or another tenant)'), h('td', { class: 'mono' }, e.event_id))
        : h('tr', { 'data-event-id': e.event_id },
          timeCell(e.occurred_at),
          h('td', {}, e.kind === 'decision' ? decisionBadge(e.decision) : e.kind),
          h('td', { class: 'mono' }, e.actor ? e.actor.id : ''),
          h('td', {}, e.tool ? e.tool.server + ' / ' + e.tool.name : ''),
          h('td', { class: 'mono' }, e.reason_code || ''),
          h('td', { class: 'mono' }, e.source ? [e.source.gateway, e.source.worker].filter(Boolean).join(' / ') : ''),
          h('td', { class: 'mono' }, e.event_id)))))));
}
