import { api, apiBlob, apiSend, h, href, go, fmt, quoted, decisionBadge, rangePicker, timeCell, session, showError, ApiError, OWASP, owaspTags } from './core.js';

const TYPES = ['REPLAY', 'REVOKED_HANDLE_USE', 'EXPIRED_HANDLE_USE', 'DENY_BURST', 'INCONSISTENT_DECISION', 'FUTURE_TIMESTAMP', 'CONFLICTING_DUPLICATE', 'CUSTOM_RULE'];
const STATUSES = ['open', 'acknowledged', 'closed'];
const REASONS = [['true_positive', 'True positive'], ['false_positive', 'False positive'], ['benign', 'Benign'], ['duplicate', 'Duplicate'], ['other', 'Other']];
const MAX_EVIDENCE_SHOWN = 50;
/** Below this the detector is keeping up (its commits alone take a fraction of a second). */
const LAG_SHOWN_SECONDS = 5;
/** How long to wait for a change to reach the index before showing the page again. */
const SETTLE_MS = 5000;

/** The list's filters, from the page's parameters: status open unless chosen otherwise. */
function filters(params) {
  const status = params.has('status') ? params.get('status') : 'open';
  return {
    type: params.get('type') || '', severity: params.get('severity') || '', status: status === 'any' ? '' : status,
    assignee: params.get('assignee') || '', from: params.get('from') || 'now-24h', to: params.get('to') || '',
  };
}

/** Alerts, newest first, with their workflow; one opened shows its history and evidence, and the actions. */
export async function render(main, params) {
  const picker = rangePicker(params);
  const f = filters(params);
  const type = h('select', { name: 'type', 'aria-label': 'Alert type' }, h('option', { value: '' }, 'Any type'),
    TYPES.map((t) => h('option', { value: t, selected: f.type === t }, t)));
  const severity = h('select', { name: 'severity', 'aria-label': 'Severity' }, h('option', { value: '' }, 'Any severity'),
    ['critical', 'high', 'medium', 'low'].map((s) => h('option', { value: s, selected: f.severity === s }, s)));
  const status = h('select', { name: 'status', 'aria-label': 'Status' },
    STATUSES.map((s) => h('option', { value: s, selected: f.status === s }, s)),
    h('option', { value: 'any', selected: f.status === '' }, 'any status'));
  const assignee = h('input', { name: 'assignee', 'aria-label': 'Assignee (none: unassigned)', placeholder: 'assignee', value: f.assignee, size: 14, list: 'assignees' });
  const form = h('form', { class: 'bar' }, status, assignee, type, severity, picker.el, h('button', { type: 'submit' }, 'Show alerts'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const r = picker.read();
    go('alerts', { status: status.value, assignee: assignee.value.trim(), type: type.value, severity: severity.value, from: r.from, to: r.to });
  });
  main.replaceChildren(h('h1', {}, 'Alerts'), h('div', { class: 'panel' }, form));
  const lag = await api('/detection').catch(() => null);
  if (lag && lag.known && lag.seconds_behind >= LAG_SHOWN_SECONDS) {
    const s = Math.round(lag.seconds_behind);
    main.append(h('p', { class: 'notice', id: 'detection-lag', role: 'status' },
      `Detection is ${fmt.n(s)} s behind (${fmt.n(lag.records_behind)} decision${lag.records_behind === 1 ? '' : 's'} not yet judged): alerts for events of the last ${fmt.n(s)} s may still come.`));
  }
  const page = await api('/alerts', { ...f, limit: 200 });
  const open = params.get('id');
  const selected = new Set();
  const bulk = bulkBar(main, params, f, page, selected);
  const rows = page.alerts.map((a) => {
    const box = h('input', { type: 'checkbox', 'aria-label': 'Select alert ' + a.alert_id, 'data-select': a.alert_id,
      onclick: (e) => e.stopPropagation(),
      onchange: (e) => { if (e.target.checked) selected.add(a.alert_id); else selected.delete(a.alert_id); bulk.update(); } });
    return h('tr', { class: 'event', tabindex: '0', 'data-alert-id': a.alert_id, 'data-status': a.state.status, 'aria-selected': String(a.alert_id === open),
      onclick: () => go('alerts', withId(params, a.alert_id)),
      onkeydown: (e) => { if (e.key === 'Enter' && e.target === e.currentTarget) go('alerts', withId(params, a.alert_id)); } },
    h('td', {}, box),
    timeCell(a.detected_at),
    h('td', {}, h('span', { class: 'badge ' + a.severity }, a.severity)),
    h('td', { class: 'mono' }, a.rule ? 'rule: ' + a.rule.name : a.type, a.previous ? reRaised(a.previous) : null, ' ', owaspTags(a.owasp)),
    h('td', { class: 'mono' }, a.subject),
    h('td', {}, a.tenant),
    h('td', {}, statusBadge(a.state)),
    h('td', { class: 'mono' }, a.state.assignee || h('span', { class: 'muted' }, '—')),
    h('td', {}, a.summary));
  });
  const all = h('input', { type: 'checkbox', 'aria-label': 'Select every alert shown', id: 'select-all',
    onchange: (e) => {
      main.querySelectorAll('input[data-select]').forEach((b) => { b.checked = e.target.checked; if (b.checked) selected.add(b.dataset.select); else selected.delete(b.dataset.select); });
      bulk.update();
    } });
  main.append(h('div', { class: 'panel' },
    h('div', { class: 'summary' },
      h('span', { class: 'count', id: 'alert-count', 'data-total': page.total }, fmt.n(page.total) + (page.total === 1 ? ' alert' : ' alerts')),
      facetLinks(params, page.facets)),
    bulk.el,
    page.alerts.length
      ? h('div', { class: 'scroll' }, h('table', { id: 'alerts' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, all), ['Detected', 'Severity', 'Type', 'Subject', 'Tenant', 'Status', 'Assignee', 'Summary'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows)))
      : h('p', { class: 'muted' }, 'No alerts match.'),
    h('datalist', { id: 'assignees' }, page.facets.assignee.filter((c) => c.value).map((c) => h('option', { value: c.value })))));
  if (open) {
    const one = await api('/alerts/' + encodeURIComponent(open)).catch((e) => { if (e instanceof ApiError && e.status === 404) return null; throw e; });
    if (one) main.append(await detail(main, params, one));
  }
}

function statusBadge(state) {
  return h('span', { class: 'badge st-' + state.status, 'data-status': state.status },
    state.status + (state.close_reason ? ' · ' + state.close_reason.replace('_', ' ') : ''));
}

function reRaised(p) {
  return h('span', { class: 'badge ' + (p.false_positive ? 'st-fp' : 'st-again'), title: 'Raised before as ' + p.alert_id + ' (' + p.status + (p.close_reason ? ', ' + p.close_reason : '') + ')' },
    p.false_positive ? ' re-raised after false positive' : ' re-raised');
}

/** Counts by status and assignee, each a link to the list filtered by it. */
function facetLinks(params, facets) {
  const link = (k, v, label, n) => {
    const p = new URLSearchParams(params);
    p.delete('id');
    p.set(k, v);
    return h('a', { href: href('alerts', p), 'data-facet': k + ':' + v }, label + ' ' + fmt.n(n));
  };
  return h('span', { class: 'facets', id: 'alert-facets' },
    facets.status.map((c) => link('status', c.value, c.value, c.count)).flatMap((l) => [l, ' ']),
    ' · ',
    facets.assignee.map((c) => link('assignee', c.value || 'none', c.value || 'unassigned', c.count)).flatMap((l) => [l, ' ']));
}

/** Acknowledge, assign, close or reopen the selected alerts, or every alert the filters match. */
function bulkBar(main, params, f, page, selected) {
  const whole = h('input', { type: 'checkbox', id: 'bulk-all', onchange: () => update() });
  const count = h('span', { id: 'bulk-count', class: 'muted' });
  const who = h('input', { name: 'bulk-assignee', 'aria-label': 'Assign to', placeholder: 'assign to', size: 12, list: 'assignees' });
  const reason = reasonSelect('bulk-reason');
  const note = h('input', { name: 'bulk-note', 'aria-label': 'Note', placeholder: 'note (optional)', size: 24, maxlength: 2000 });
  const run = (body) => async () => {
    const ids = [...selected];
    if (!whole.checked && !ids.length) return;
    const text = note.value.trim();
    if (text) body.note = text;
    if (!whole.checked) body.alert_ids = ids;
    try {
      const out = await apiSend('POST', '/alerts/_update', f, body);
      // Shown again once the list holds every change: each changed alert at its new version, or gone.
      await settle(() => api('/alerts', { ...f, limit: 200 }),
        (p) => p.alerts.every((a) => !(a.tenant + '/' + a.alert_id in out.versions) || a.state.version >= out.versions[a.tenant + '/' + a.alert_id]));
      await render(main, params);
      main.prepend(h('p', { class: 'notice', id: 'bulk-result', role: 'status' },
        `${fmt.n(out.changed)} of ${fmt.n(out.matched)} alert(s) changed` + (out.refused ? `, ${fmt.n(out.refused)} not in a state the change applies to` : '') + (out.conflicts ? `, ${fmt.n(out.conflicts)} changed by someone else meanwhile` : '') + '.'));
    } catch (e) { showError(e); }
  };
  const buttons = [
    h('button', { type: 'button', id: 'bulk-ack', onclick: run({ status: 'acknowledged' }) }, 'Acknowledge'),
    who, h('button', { type: 'button', id: 'bulk-assign', onclick: () => who.value.trim() && run({ assignee: who.value.trim() })() }, 'Assign'),
    reason, h('button', { type: 'button', id: 'bulk-close', onclick: () => reason.value && run({ status: 'closed', close_reason: reason.value })() }, 'Close'),
    h('button', { type: 'button', id: 'bulk-reopen', class: 'quiet', onclick: run({ status: 'open' }) }, 'Reopen'),
    note,
  ];
  const el = h('div', { class: 'bar bulk', id: 'bulk', role: 'group', 'aria-label': 'Change several alerts' },
    h('label', {}, whole, ` every alert matching the filters (${fmt.n(page.total)})`), count, buttons);
  function update() {
    count.textContent = whole.checked ? '' : `${selected.size} selected`;
    buttons.forEach((b) => { if (b.tagName === 'BUTTON') b.disabled = !whole.checked && selected.size === 0; });
  }
  update();
  return { el, update };
}

function reasonSelect(name) {
  return h('select', { name, 'aria-label': 'Close reason' }, h('option', { value: '' }, 'close reason…'),
    REASONS.map(([v, label]) => h('option', { value: v }, label)));
}

/** Polls until the index shows a change (or a few seconds pass): changes are read back within its refresh. */
async function settle(read, done) {
  const until = Date.now() + SETTLE_MS;
  while (Date.now() < until) {
    if (done(await read())) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function withId(params, id) {
  const p = new URLSearchParams(params);
  p.set('id', id);
  return p;
}

/**
 * For auditors: the alert's evidence events as an evidence bundle (README, "Evidence bundles"), each
 * with its proof, the manifest naming the alert; `mcp-audit verify` checks it offline.
 */
function evidenceDownload(a) {
  const status = h('span', { class: 'muted', id: 'alert-evidence-status', 'aria-live': 'polite' });
  const button = h('button', {
    type: 'button', class: 'quiet', 'data-alert-evidence': a.alert_id,
    onclick: async () => {
      status.textContent = 'Exporting the evidence…';
      try {
        const blob = await apiBlob('/evidence/export', { tenant: a.tenant, alert: a.alert_id });
        const link = h('a', { href: URL.createObjectURL(blob), download: 'mcp-audit-alert-' + a.alert_id.slice(0, 16) + '.zip' });
        document.body.append(link);
        link.click();
        link.remove();
        status.textContent = fmt.n(blob.size) + ' bytes downloaded; check them with mcp-audit verify';
      } catch (e) {
        status.textContent = 'Download failed: ' + e.message;
      }
    },
  }, 'Download evidence');
  return [button, status];
}

/** One alert: its workflow (actions and history), the earlier case it re-raises, and its evidence. */
async function detail(main, params, a) {
  const ids = a.evidence.slice(0, MAX_EVIDENCE_SHOWN);
  const events = await Promise.all(ids.map((id) => api('/decisions/' + encodeURIComponent(id)).catch(() => ({ event_id: id, missing: true }))));
  const links = [];
  if (a.handle) links.push(h('a', { href: href('handle', { id: a.handle }) }, 'Handle timeline'));
  if (a.actor) links.push(h('a', { href: href('access', { actor: a.actor }) }, 'Agent access'));
  links.push(h('a', { href: href('search', { q: 'event_id:(' + a.evidence.slice(0, 200).map(quoted).join(' OR ') + ')', from: 'now-30d' }) }, 'Evidence in search'));
  if (session.me && session.me.may_export) links.push(...evidenceDownload(a));
  return h('section', { class: 'panel', id: 'alert-detail', 'aria-label': 'Alert ' + a.alert_id },
    h('h2', {}, (a.rule ? 'Rule "' + a.rule.name + '"' : a.type) + ' — ' + a.subject),
    h('p', {}, a.summary),
    a.rule ? h('p', { class: 'muted', id: 'alert-rule' }, 'Raised by the alert rule ', h('span', { class: 'mono' }, a.rule.id), ' at version ' + a.rule.version,
      session.me && session.me.may_manage_rules ? [' · ', h('a', { href: href('rules', { edit: a.rule.id }) }, 'edit the rule')] : null) : null,
    (a.owasp || []).length ? h('p', { id: 'alert-owasp' }, 'OWASP Top 10 for Agentic Applications: ',
      a.owasp.map((id) => h('span', { class: 'badge owasp', 'data-owasp': id }, id + ' ' + (OWASP[id] || ''))).flatMap((b) => [b, ' '])) : null,
    h('p', { class: 'exports' }, links.flatMap((l) => [l, ' '])),
    h('p', { class: 'muted mono' }, 'alert ' + a.alert_id + ', ' + a.evidence.length + ' evidence event(s)' + (a.evidence.length > MAX_EVIDENCE_SHOWN ? `, first ${MAX_EVIDENCE_SHOWN} shown` : '')),
    a.previous ? h('p', { class: a.previous.false_positive ? 'notice' : 'muted', id: 'previous-alert' },
      'The same case was raised before: ', h('a', { href: href('alerts', { id: a.previous.alert_id, status: 'any', from: 'now-30d' }) }, a.previous.alert_id),
      ` at ${fmt.time(a.previous.detected_at)}, ` + (a.previous.close_reason ? `closed as ${a.previous.close_reason.replace('_', ' ')}.` : `now ${a.previous.status}.`)) : null,
    workflow(main, params, a),
    h('h3', {}, 'Evidence'),
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

/** The alert's state, the actions an analyst takes on it, and every change so far. */
function workflow(main, params, a) {
  const st = a.state;
  const note = h('textarea', { name: 'note', 'aria-label': 'Note', rows: 2, cols: 50, maxlength: 2000, placeholder: 'note (kept in the history)' });
  const who = h('input', { name: 'assignee', 'aria-label': 'Assign to', placeholder: 'assign to', size: 16, value: st.assignee || '', list: 'assignees' });
  const reason = reasonSelect('close_reason');
  const change = (body) => async () => {
    const text = note.value.trim();
    if (text) body.note = text;
    try {
      const out = await apiSend('PATCH', '/alerts/' + encodeURIComponent(a.alert_id), { tenant: a.tenant }, body, { 'If-Match': '"' + st.version + '"' });
      await settle(() => api('/alerts/' + encodeURIComponent(a.alert_id), { tenant: a.tenant }), (x) => x.state.version >= out.version);
      await render(main, params);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        await render(main, params);
        showError(new ApiError(409, 'Someone changed this alert meanwhile', 'it is shown as it is now; decide again'));
      } else {
        showError(e);
      }
    }
  };
  const me = session.me ? session.me.principal : '';
  const actions = [];
  if (st.status === 'open') actions.push(h('button', { type: 'button', id: 'act-ack', onclick: change({ status: 'acknowledged' }) }, 'Acknowledge'));
  if (st.status !== 'closed') {
    actions.push(reason, h('button', { type: 'button', id: 'act-close', onclick: () => (reason.value ? change({ status: 'closed', close_reason: reason.value })() : reason.focus()) }, 'Close'));
  } else {
    actions.push(h('button', { type: 'button', id: 'act-reopen', onclick: change({ status: 'open' }) }, 'Reopen'));
  }
  actions.push(who, h('button', { type: 'button', id: 'act-assign', class: 'quiet', onclick: () => change({ assignee: who.value.trim() || null })() }, 'Assign'));
  if (me && st.assignee !== me) actions.push(h('button', { type: 'button', id: 'act-take', class: 'quiet', onclick: change({ assignee: me }) }, 'Take it'));
  actions.push(h('button', { type: 'button', id: 'act-note', class: 'quiet', onclick: () => note.value.trim() && change({})() }, 'Add note'));
  return h('div', { class: 'workflow', id: 'workflow' },
    h('p', {}, 'Status ', statusBadge(st), st.assignee ? [' · assigned to ', h('span', { class: 'mono', id: 'assignee' }, st.assignee)] : ' · unassigned',
      h('span', { class: 'muted' }, ` · version ${st.version}` + (st.updated_by ? ` · last changed by ${st.updated_by} at ${fmt.time(st.updated_at)}` : ''))),
    h('div', { class: 'bar' }, actions),
    h('div', { class: 'bar' }, note),
    h('h3', {}, 'History'),
    (st.history || []).length
      ? h('ol', { class: 'history', id: 'history' }, st.history.slice().reverse().map((c) => h('li', { 'data-version': c.version },
        h('span', { class: 'mono' }, fmt.time(c.at)), ' ', h('strong', {}, c.by), ' ', describe(c),
        c.note ? h('blockquote', { class: 'note' }, c.note) : null)))
      : h('p', { class: 'muted', id: 'history' }, 'No changes yet.'));
}

/** What one change did, in words. */
function describe(c) {
  const parts = [];
  if (c.from.status !== c.to.status || c.from.close_reason !== c.to.close_reason) {
    parts.push(`${c.from.status} → ${c.to.status}` + (c.to.close_reason ? ` (${c.to.close_reason.replace('_', ' ')})` : ''));
  }
  if (c.from.assignee !== c.to.assignee) parts.push(c.to.assignee ? `assigned to ${c.to.assignee}` : 'unassigned');
  if (!parts.length) parts.push('added a note');
  return parts.join(', ');
}
