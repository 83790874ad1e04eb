import { api, apiSend, apiDelete, h, href, go, fmt, rangePicker, session, showError, OWASP, owaspTags } from './core.js';

// Fields a rule may group by (RuleCodec.GROUPABLE): single-valued keywords the event carries.
const GROUPABLE = [
  'actor.id', 'actor.type', 'actor.on_behalf_of', 'actor.client_id', 'handle.id', 'handle.issuer',
  'tool.server', 'tool.name', 'tool.method', 'tool.resource', 'source.gateway', 'source.worker',
  'source.region', 'policy.id', 'policy.version', 'decision', 'reason_code', 'kind', 'request.nonce',
];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];

/**
 * Alert rules (README, "Alert rules"): the list, and one rule's editor with a preview over past
 * events. '#/rules?new=1&q=…' opens the editor on a search's query; '#/rules?edit=ID' on a rule.
 */
export async function render(main, params) {
  if (params.get('new') || params.get('edit')) {
    await editor(main, params);
    return;
  }
  const list = await api('/rules');
  const rows = list.rules.map((r) => h('tr', { 'data-rule-id': r.id, 'data-enabled': String(r.enabled) },
    h('td', { class: 'mono' }, r.id),
    h('td', {}, r.name),
    h('td', {}, r.tenant),
    h('td', { class: 'mono' }, r.query),
    h('td', { class: 'mono' }, r.group_by.join(', ') || h('span', { class: 'muted' }, '—')),
    h('td', {}, r.threshold <= 1 ? 'every match' : `≥ ${fmt.n(r.threshold)} in ${seconds(r.window_seconds)}`),
    h('td', {}, h('span', { class: 'badge ' + r.severity }, r.severity)),
    h('td', {}, owaspTags(r.owasp)),
    h('td', {}, r.enabled ? 'on' : h('span', { class: 'muted' }, 'off')),
    h('td', { class: 'muted' }, 'v' + r.version + (r.updated_by ? ' · ' + r.updated_by : '')),
    h('td', { class: 'actions' },
      h('a', { href: href('rules', { edit: r.id }), 'data-edit': r.id }, 'Edit'), ' ',
      h('button', { type: 'button', class: 'quiet', 'data-toggle': r.id, onclick: () => save(main, params, { ...body(r), enabled: !r.enabled }, r.id) }, r.enabled ? 'Disable' : 'Enable'), ' ',
      h('button', { type: 'button', class: 'quiet', 'data-delete': r.id, onclick: () => remove(main, params, r.id) }, 'Delete'))));
  main.replaceChildren(h('h1', {}, 'Alert rules'),
    h('div', { class: 'panel' },
      h('div', { class: 'summary' }, h('span', { class: 'count', id: 'rule-count' }, fmt.n(list.rules.length) + (list.rules.length === 1 ? ' rule' : ' rules')),
        h('a', { href: href('rules', { new: '1' }), id: 'new-rule' }, 'New rule'),
        h('span', { class: 'muted' }, 'Built-in rules (replay, revoked and expired handles, deny bursts, inconsistent decisions) always run; these are your own.')),
      list.rules.length
        ? h('div', { class: 'scroll' }, h('table', { id: 'rules' },
          h('thead', {}, h('tr', {}, ['Id', 'Name', 'Tenant', 'Query', 'Group by', 'Threshold', 'Severity', 'OWASP', 'On', 'Version', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, rows)))
        : h('p', { class: 'muted' }, 'No rules yet. Search for what you want to be alerted on, then "Create alert rule from this search".')));
}

function seconds(s) {
  return s % 3600 === 0 ? s / 3600 + ' h' : s % 60 === 0 ? s / 60 + ' min' : s + ' s';
}

/** A rule as PUT takes it. */
function body(r) {
  return {
    name: r.name, tenant: r.tenant, query: r.query, group_by: r.group_by, threshold: r.threshold,
    window_seconds: r.window_seconds, severity: r.severity, suppression_seconds: r.suppression_seconds,
    owasp: r.owasp, enabled: r.enabled,
  };
}

async function save(main, params, rule, id) {
  try {
    await apiSend('PUT', '/rules/' + encodeURIComponent(id), {}, rule);
    await render(main, new URLSearchParams());
  } catch (e) { showError(e); }
}

async function remove(main, params, id) {
  try {
    await apiDelete('/rules/' + encodeURIComponent(id));
    await render(main, new URLSearchParams());
  } catch (e) { showError(e); }
}

/** A slug of the rule's name, for a new rule's id. */
function slug(name) {
  return (name || 'rule').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'rule';
}

async function editor(main, params) {
  const editing = params.get('edit');
  const rule = editing
    ? await api('/rules/' + encodeURIComponent(editing))
    : { name: '', tenant: defaultTenant(params), query: params.get('q') || '', group_by: [], threshold: 3, window_seconds: 600, severity: 'medium', suppression_seconds: 600, owasp: [], enabled: true };
  const id = h('input', { id: 'rule-id', name: 'id', value: editing || '', required: true, pattern: '[a-z0-9][a-z0-9_\\-]{0,63}', size: 24, disabled: !!editing, 'aria-label': 'Rule id' });
  const name = h('input', { id: 'rule-name', name: 'name', value: rule.name, required: true, maxlength: 200, size: 40, 'aria-label': 'Name' });
  name.addEventListener('input', () => { if (!editing && !id.dataset.touched) id.value = slug(name.value); });
  id.addEventListener('input', () => { id.dataset.touched = '1'; });
  const tenant = h('input', { id: 'rule-tenant', name: 'tenant', value: rule.tenant, required: true, size: 16, 'aria-label': 'Tenant (* for every tenant)' });
  const query = h('textarea', { id: 'rule-query', name: 'query', rows: 2, cols: 70, required: true, spellcheck: 'false', 'aria-label': 'Query (the search syntax)' });
  query.value = rule.query;
  const groups = [0, 1, 2].map((i) => h('select', { name: 'group_by', 'data-group': String(i), 'aria-label': 'Group by field ' + (i + 1) },
    h('option', { value: '' }, i === 0 ? 'no group' : '—'),
    GROUPABLE.map((f) => h('option', { value: f, selected: rule.group_by[i] === f }, f))));
  const threshold = h('input', { id: 'rule-threshold', name: 'threshold', type: 'number', min: 1, max: 10000, value: rule.threshold, size: 6, 'aria-label': 'Threshold (1: every match)' });
  const windowIn = h('input', { id: 'rule-window', name: 'window_seconds', type: 'number', min: 1, max: 3600, value: rule.window_seconds, size: 6, 'aria-label': 'Window in seconds' });
  const suppression = h('input', { id: 'rule-suppression', name: 'suppression_seconds', type: 'number', min: 1, max: 86400, value: rule.suppression_seconds, size: 7, 'aria-label': 'Suppression in seconds' });
  const severity = h('select', { id: 'rule-severity', name: 'severity', 'aria-label': 'Severity' }, SEVERITIES.map((s) => h('option', { value: s, selected: rule.severity === s }, s)));
  const enabled = h('input', { id: 'rule-enabled', type: 'checkbox', checked: rule.enabled });
  const owasp = Object.entries(OWASP).map(([k, title]) => h('label', { class: 'check', title },
    h('input', { type: 'checkbox', name: 'owasp', value: k, checked: rule.owasp.includes(k) }), ' ' + k + ' ' + title));
  const read = () => ({
    name: name.value.trim(), tenant: tenant.value.trim(), query: query.value.trim(),
    group_by: groups.map((g) => g.value).filter(Boolean), threshold: Number(threshold.value),
    window_seconds: Number(windowIn.value), suppression_seconds: Number(suppression.value), severity: severity.value,
    owasp: owasp.map((l) => l.querySelector('input')).filter((c) => c.checked).map((c) => c.value), enabled: enabled.checked,
  });
  const picker = rangePicker(new URLSearchParams({ from: params.get('from') || 'now-24h', to: params.get('to') || '' }));
  const result = h('div', { id: 'preview-result', 'aria-live': 'polite' });
  const status = h('p', { id: 'rule-status', class: 'muted', 'aria-live': 'polite' });
  const preview = async () => {
    result.replaceChildren(h('p', { class: 'muted' }, 'Previewing…'));
    try {
      const r = picker.read();
      const out = await apiSend('POST', '/rules/_preview', { from: r.from, to: r.to }, { rule: { id: id.value || 'preview', ...read() } });
      result.replaceChildren(previewTable(out));
    } catch (e) {
      result.replaceChildren(h('p', { class: 'error', role: 'alert', id: 'preview-error' }, e.message));
    }
  };
  const form = h('form', { class: 'panel rule-form', id: 'rule-form' },
    h('div', { class: 'grid2' },
      h('dl', { class: 'kv' },
        h('dt', {}, h('label', { for: 'rule-name' }, 'Name')), h('dd', {}, name),
        h('dt', {}, h('label', { for: 'rule-id' }, 'Id')), h('dd', {}, id),
        h('dt', {}, h('label', { for: 'rule-tenant' }, 'Tenant')), h('dd', {}, tenant),
        h('dt', {}, h('label', { for: 'rule-query' }, 'Query')), h('dd', {}, query),
        h('dt', {}, 'Group by'), h('dd', {}, groups),
        h('dt', {}, h('label', { for: 'rule-threshold' }, 'Threshold')), h('dd', {}, threshold, ' events within ', windowIn, ' s (1: every match)'),
        h('dt', {}, h('label', { for: 'rule-suppression' }, 'Suppression')), h('dd', {}, suppression, ' s: one alert per group within this'),
        h('dt', {}, h('label', { for: 'rule-severity' }, 'Severity')), h('dd', {}, severity),
        h('dt', {}, h('label', { for: 'rule-enabled' }, 'Enabled')), h('dd', {}, enabled)),
      h('fieldset', { class: 'owasp-pick' }, h('legend', {}, 'OWASP Top 10 for Agentic Applications'), owasp)),
    h('div', { class: 'bar' },
      h('span', {}, 'Preview over '), picker.el,
      h('button', { type: 'button', class: 'quiet', id: 'rule-preview', onclick: preview }, 'Preview'),
      h('button', { type: 'submit', id: 'rule-save' }, editing ? 'Save changes' : 'Save rule'),
      h('a', { href: href('rules', {}) }, 'Back to rules')),
    status, result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const ruleId = editing || id.value.trim();
    try {
      const saved = await apiSend('PUT', '/rules/' + encodeURIComponent(ruleId), {}, read());
      status.textContent = `Saved ${saved.id} (version ${saved.version}); the detector applies it within seconds.`;
      go('rules', {});
    } catch (err) {
      status.textContent = '';
      showError(err);
    }
  });
  main.replaceChildren(h('h1', {}, editing ? 'Edit rule ' + editing : 'New alert rule'), form);
}

function defaultTenant(params) {
  if (params.get('tenant')) return params.get('tenant');
  const mine = ((session.me && session.me.tenants) || []).filter((t) => t !== '*');
  return mine.length === 1 ? mine[0] : '';
}

function previewTable(out) {
  const head = h('p', { id: 'preview-summary', 'data-raised': String(out.raised), 'data-events': String(out.events) },
    h('strong', {}, fmt.n(out.raised) + (out.raised === 1 ? ' alert' : ' alerts')),
    ` would have been raised from ${fmt.n(out.events)} matching event${out.events === 1 ? '' : 's'} between ${fmt.time(out.from)} and ${fmt.time(out.to)}`
      + (out.suppressed ? `; ${fmt.n(out.suppressed)} more fell within an earlier alert's suppression` : '')
      + (out.judged_all ? '.' : ' (only the first matches were judged; narrow the range).'));
  if (!out.alerts.length) return h('div', {}, head);
  return h('div', {}, head, h('div', { class: 'scroll' }, h('table', { id: 'preview' },
    h('thead', {}, h('tr', {}, ['From', 'To', 'Tenant', 'Group', 'Events', 'Alert id'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, out.alerts.map((a) => h('tr', { 'data-alert-id': a.alert_id },
      h('td', { class: 'mono t' }, fmt.time(a.anchored_at)), h('td', { class: 'mono t' }, fmt.time(a.last_at)),
      h('td', {}, a.tenant), h('td', { class: 'mono' }, a.subject), h('td', { class: 'num' }, fmt.n(a.events)),
      h('td', { class: 'mono' }, a.alert_id)))))));
}
