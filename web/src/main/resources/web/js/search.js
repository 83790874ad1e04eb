import { api, apiBlob, h, svg, href, go, fmt, quoted, decisionBadge, rangePicker, session, timeCell } from './core.js';

// Field names the query language knows (EventQueryParser), offered as completions.
export const FIELDS = [
  'event_id', 'kind', 'tenant', 'decision', 'reason_code', 'reason', 'handle.id', 'handle.task', 'handle.scopes',
  'handle.previous_id', 'handle.issuer', 'handle.issued_at', 'handle.expires_at', 'actor.id', 'actor.type',
  'actor.on_behalf_of', 'actor.client_id', 'tool.server', 'tool.name', 'tool.method', 'tool.resource',
  'request.id', 'request.nonce', 'request.trace_id', 'request.span_id', 'source.gateway', 'source.worker',
  'source.region', 'source.authenticated', 'policy.id', 'policy.version', 'policy.rule', 'attributes',
  'occurred_at', 'received_at', 'latency_us', 'provenance', 'provenance.by',
];

const FACETS = [
  ['actor.id', 'Actor'], ['tool.name', 'Tool'], ['tool.server', 'Server'], ['reason_code', 'Reason code'],
  ['decision', 'Decision'], ['source.gateway', 'Gateway'], ['source.worker', 'Worker'],
];
const PAGE = 50;

function split(filter) {
  const i = filter.indexOf(':');
  return [filter.slice(0, i), filter.slice(i + 1)];
}

/** The query sent to the API: the typed query ANDed with the facet filters. */
export function effectiveQuery(params) {
  const parts = [];
  const q = (params.get('q') || '').trim();
  if (q) parts.push('(' + q + ')');
  for (const f of params.getAll('f')) { const [k, v] = split(f); parts.push(k + ':' + quoted(v)); }
  const excludes = params.getAll('x').map((f) => { const [k, v] = split(f); return '-' + k + ':' + quoted(v); });
  // A query of exclusions alone matches nothing in Lucene: give it something to exclude from.
  if (!parts.length && excludes.length) parts.push('occurred_at:[* TO *]');
  return parts.concat(excludes).join(' AND ');
}

function withParams(params, changes) {
  const p = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    p.delete(k);
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
    else if (v !== undefined && v !== null && v !== '') p.set(k, v);
  }
  if (!('cursor' in changes)) { p.delete('cursor'); p.delete('stack'); }
  return p;
}

/** Defaults the range offers when none is chosen, shortest first; the last is used when data is older. */
const FITTING = [['now-15m', 15 * 60e3], ['now-1h', 60 * 60e3], ['now-24h', 24 * 60 * 60e3]];

/**
 * The shortest default range that holds every decision of the last 24 hours, so a fresh
 * deployment (a quickstart a minute old) gets bars of seconds, not one bar for the whole day.
 */
async function fittingRange(q) {
  const probe = await api('/stats/histogram', { q, from: 'now-24h', buckets: 1 });
  if (!probe.first_seen) return 'now-24h';
  const age = Date.now() - Date.parse(probe.first_seen);
  return (FITTING.find(([, span]) => age <= span * 0.95) || FITTING[FITTING.length - 1])[0];
}

export async function render(main, params) {
  if (!params.get('from') && !params.get('to')) {
    params = new URLSearchParams(params);
    params.set('from', await fittingRange(effectiveQuery(params)));
  }
  const picker = rangePicker(params);
  const qInput = h('input', {
    id: 'q', name: 'q', value: params.get('q') || '', autocomplete: 'off', spellcheck: 'false',
    'aria-label': 'Query (Lucene syntax)', role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
    'aria-controls': 'q-suggest', placeholder: 'decision:deny AND tool.server:github',
  });
  const suggest = h('ul', { id: 'q-suggest', class: 'suggest', role: 'listbox', hidden: true });
  attachCompletion(qInput, suggest);
  const form = h('form', { class: 'bar', role: 'search' },
    h('div', { class: 'qwrap' }, qInput, suggest), picker.el, h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const r = picker.read();
    go('search', withParams(params, { q: qInput.value.trim(), from: r.from, to: r.to }));
  });

  const chips = h('div', { class: 'chips', 'aria-label': 'Filters' },
    params.getAll('f').map((f) => chip(params, 'f', f)), params.getAll('x').map((f) => chip(params, 'x', f)));

  const facets = h('aside', { class: 'panel facet', 'aria-label': 'Facets' }, h('h2', {}, 'Refine'));
  const histo = h('div', { class: 'panel histogram' });
  const results = h('section', { class: 'panel', 'aria-label': 'Results' }, h('p', { class: 'muted' }, 'Searching…'));
  main.replaceChildren(h('h1', {}, 'Search decisions'), h('div', { class: 'panel' }, form, chips),
    h('div', { class: 'layout' }, facets, h('div', {}, histo, results)));

  const q = effectiveQuery(params);
  const range = { from: params.get('from') || 'now-24h', to: params.get('to') || '' };
  // All at once, and awaited together: one failure is one error message, not a console full.
  const [page, hist, ...tops] = await Promise.all([
    api('/decisions', { q, ...range, limit: PAGE, cursor: params.get('cursor') || '' }),
    api('/stats/histogram', { q, ...range, buckets: 60 }),
    ...FACETS.map(([field]) => api('/stats/top', { field, q, ...range, size: 8 })),
  ]);
  renderResults(results, params, page, q, range);
  renderHistogram(histo, params, await fitToData(hist, q, range));
  FACETS.forEach((f, i) => facets.append(facetBlock(params, f, tops[i])));
}

function chip(params, kind, filter) {
  const [k, v] = split(filter);
  const label = (kind === 'x' ? 'not ' : '') + k + ': ' + v;
  return h('span', { class: 'chip' + (kind === 'x' ? ' exclude' : ''), 'data-filter': kind + ':' + filter }, label,
    h('button', {
      type: 'button', 'aria-label': 'Remove filter ' + label,
      onclick: () => go('search', withParams(params, { [kind]: params.getAll(kind).filter((x) => x !== filter) })),
    }, '×'));
}

function facetBlock(params, [field, title], top) {
  const list = h('ul', {});
  for (const b of top.buckets) {
    const filter = field + ':' + b.value;
    list.append(h('li', { 'data-field': field, 'data-value': b.value },
      h('button', {
        type: 'button', class: 'link val', title: 'Only ' + b.value,
        onclick: () => go('search', withParams(params, { f: [...params.getAll('f').filter((x) => x !== filter), filter] })),
      }, fmt.tail(b.value, 22)),
      h('span', { class: 'n' }, fmt.n(b.count)),
      h('button', {
        type: 'button', class: 'ex', title: 'Exclude ' + b.value, 'aria-label': 'Exclude ' + b.value,
        onclick: () => go('search', withParams(params, { x: [...params.getAll('x').filter((x) => x !== filter), filter] })),
      }, '−')));
  }
  if (!top.buckets.length) list.append(h('li', { class: 'muted' }, 'none'));
  return h('section', { 'aria-label': title }, h('h3', {}, title), list);
}

function renderResults(box, params, page, q, range) {
  const total = h('span', { class: 'count', id: 'result-count', 'data-total': page.total },
    (page.total_relation === 'gte' ? '≥ ' : '') + fmt.n(page.total) + (page.total === 1 ? ' event' : ' events'));
  const head = h('div', { class: 'summary' }, total, h('span', { class: 'muted' }, q ? 'for ' + q : 'all events'));
  if (session.me && session.me.may_export) head.append(exportButtons(q, range), evidenceExport(q, range, page));
  if (session.me && session.me.may_manage_rules) {
    const tenants = [...new Set(page.events.map((e) => e.tenant))];
    head.append(h('a', {
      id: 'create-rule', class: 'button quiet', title: 'Be alerted when events like these happen again',
      href: href('rules', { new: '1', q, ...range, tenant: tenants.length === 1 ? tenants[0] : '' }),
    }, 'Create alert rule from this search'));
  }

  const tbody = h('tbody', {});
  for (const e of page.events) {
    const row = h('tr', { class: 'event', tabindex: '0', 'aria-expanded': 'false', 'data-event-id': e.event_id },
      timeCell(e.occurred_at),
      h('td', {}, e.kind === 'decision' ? decisionBadge(e.decision) : h('span', { class: 'badge low', text: e.kind })),
      h('td', { class: 'mono' }, e.actor ? h('a', { href: href('access', { actor: e.actor.id }), title: e.actor.id, onclick: (ev) => ev.stopPropagation() }, fmt.tail(e.actor.id, 34)) : ''),
      h('td', {}, e.tool ? e.tool.server + ' / ' + e.tool.name : ''),
      h('td', { class: 'mono' }, e.reason_code || ''),
      h('td', { class: 'mono' }, e.handle ? h('a', { href: href('handle', { id: e.handle.id }), onclick: (ev) => ev.stopPropagation() }, e.handle.id) : ''),
      h('td', { class: 'mono' }, e.source ? [e.source.gateway, e.source.worker].filter(Boolean).join(' / ') : ''));
    const arrival = h('p', { class: 'provenance muted', 'aria-live': 'polite' }, 'How it arrived: …');
    const evidence = h('p', { class: 'evidence muted', 'aria-live': 'polite' });
    const detail = h('tr', { class: 'detail', hidden: true }, h('td', { colspan: '7' }, arrival, evidence, h('pre', { class: 'json' }, JSON.stringify(e, null, 2))));
    let looked = false;
    const toggle = () => {
      detail.hidden = !detail.hidden;
      row.setAttribute('aria-expanded', String(!detail.hidden));
      if (!detail.hidden && !looked) {
        looked = true;
        showArrival(arrival, evidence, e);
      }
    };
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); toggle(); } });
    tbody.append(row, detail);
  }
  const table = h('table', { id: 'results' },
    h('thead', {}, h('tr', {}, ['Time', 'Decision', 'Actor', 'Tool', 'Reason code', 'Handle', 'Gateway / worker'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);

  const stack = (params.get('stack') || '').split(',').filter(Boolean);
  const cursor = params.get('cursor') || '';
  const pager = h('div', { class: 'pager' },
    h('button', {
      type: 'button', class: 'quiet', disabled: !cursor,
      onclick: () => go('search', withParams(params, { cursor: stack[stack.length - 1] === '-' ? '' : stack[stack.length - 1] || '', stack: stack.slice(0, -1).join(',') })),
    }, '← Newer'),
    h('button', {
      type: 'button', class: 'quiet', disabled: !page.next_cursor, id: 'older',
      onclick: () => go('search', withParams(params, { cursor: page.next_cursor, stack: [...stack, cursor || '-'].join(',') })),
    }, 'Older →'),
    h('span', { class: 'muted' }, `page ${stack.length + 1}, ${PAGE} per page, newest first`));
  box.replaceChildren(head, page.events.length ? h('div', { class: 'scroll' }, table) : h('p', { class: 'muted' }, 'No events match.'), pager);
}

// The event's provenance is the pipeline's (docs/provenance.md), so it comes from /decisions/{id}.
const ARRIVALS = {
  collector: (by) => `through the collector, which authenticated ${by}`,
  publisher: (by) => `from a gateway's publisher, stamped with key ${by}`,
  api: (by) => `mcp-audit's own audit trail (key ${by})`,
  kafka: () => 'straight to Kafka, without a valid stamp: its source is not authenticated',
};

async function showArrival(el, evidenceEl, e) {
  try {
    const full = await api('/decisions/' + encodeURIComponent(e.event_id), { tenant: e.tenant });
    const p = full._meta && full._meta.provenance;
    el.dataset.provenance = p ? p.kind : 'unrecorded';
    el.textContent = 'How it arrived: ' + (p ? (ARRIVALS[p.kind] || (() => p.kind))(p.by) : 'not recorded (indexed before provenance was kept)');
    showEvidence(evidenceEl, e, full._meta && full._meta.evidence);
  } catch (err) {
    el.textContent = 'How it arrived: unknown (' + err.message + ')';
  }
}

// Its place in its tenant's evidence log (README, "Verifiable evidence"), and for auditors the
// proof file `mcp-audit verify proof` checks offline.
function showEvidence(el, e, ev) {
  if (!ev) {
    el.dataset.evidence = 'none';
    el.textContent = 'Evidence log: not in one (indexed while the log was off).';
    return;
  }
  const cp = ev.checkpoint;
  el.dataset.evidence = cp ? 'covered' : 'pending';
  el.replaceChildren(
    'Evidence log: leaf ' + fmt.n(ev.leaf_index) + ' of ' + (cp ? cp.origin : 'its log (partition ' + ev.partition + ')') + '; ' +
    (cp ? 'covered by the checkpoint of ' + fmt.n(cp.size) + ' records signed ' + new Date(cp.time).toISOString() + '.'
      : 'no checkpoint covers it yet (one is signed within seconds).'));
  if (cp && session.me && session.me.may_export) {
    const status = h('span', { class: 'muted', 'aria-live': 'polite' });
    el.append(' ', h('button', {
      type: 'button', class: 'quiet', 'data-proof': e.event_id,
      onclick: async (click) => {
        click.stopPropagation();
        try {
          const proof = await api('/evidence/proof/' + encodeURIComponent(e.event_id), { tenant: e.tenant });
          const blob = new Blob([JSON.stringify(proof, null, 2) + '\n'], { type: 'application/json' });
          const a = h('a', { href: URL.createObjectURL(blob), download: 'proof-' + e.event_id + '.json' });
          document.body.append(a);
          a.click();
          a.remove();
          status.textContent = 'proof of leaf ' + fmt.n(proof.leaf_index) + ' of ' + fmt.n(proof.tree_size) + ' downloaded; check it with mcp-audit verify proof';
        } catch (err) {
          status.textContent = 'Proof: ' + err.message;
        }
      },
    }, 'Download proof'), ' ', status);
  }
}

// An evidence bundle (README, "Evidence bundles"): one tenant's matches, each with its proof, and a
// signed manifest, which `mcp-audit verify` checks offline. A bundle is of one tenant: the token's
// only one, or the one chosen among the tenants of the results.
function evidenceExport(q, range, page) {
  const mine = (session.me.tenants || []).filter((t) => t !== '*');
  const tenants = mine.length === 1 ? mine : [...new Set(page.events.map((e) => e.tenant))].sort();
  const status = h('span', { class: 'muted', id: 'evidence-export-status', 'aria-live': 'polite' });
  const pick = h('select', { id: 'evidence-tenant', 'aria-label': 'Tenant of the evidence bundle', hidden: tenants.length < 2 },
    tenants.map((t) => h('option', { value: t }, t)));
  const button = h('button', {
    type: 'button', class: 'quiet', 'data-evidence-export': '', disabled: !tenants.length,
    title: 'The matching events of one tenant with a proof each and a signed manifest; check the file with mcp-audit verify',
    onclick: async () => {
      const tenant = pick.value;
      status.textContent = 'Exporting the evidence of ' + tenant + '…';
      try {
        const blob = await apiBlob('/evidence/export', { tenant, q, ...range });
        const a = h('a', { href: URL.createObjectURL(blob), download: 'mcp-audit-evidence-' + tenant + '.zip' });
        document.body.append(a);
        a.click();
        a.remove();
        status.textContent = 'evidence bundle of ' + tenant + ': ' + fmt.n(blob.size) + ' bytes downloaded; check it with mcp-audit verify';
      } catch (e) {
        status.textContent = 'Export with evidence failed: ' + e.message;
      }
    },
  }, 'Export with evidence');
  return h('span', { class: 'exports', id: 'evidence-export' }, pick, button, status);
}

function exportButtons(q, range) {
  const status = h('span', { class: 'muted', id: 'export-status', 'aria-live': 'polite' });
  const button = (format, ext) => h('button', {
    type: 'button', class: 'quiet', 'data-export': format,
    onclick: async () => {
      status.textContent = 'Exporting ' + format.toUpperCase() + '…';
      try {
        const blob = await apiBlob('/export', { format, q, ...range });
        const a = h('a', { href: URL.createObjectURL(blob), download: 'mcp-audit-export.' + ext });
        document.body.append(a);
        a.click();
        a.remove();
        status.textContent = format.toUpperCase() + ': ' + fmt.n(blob.size) + ' bytes downloaded';
      } catch (e) {
        status.textContent = 'Export failed: ' + e.message;
      }
    },
  }, format.toUpperCase());
  return h('span', { class: 'exports', id: 'exports' }, 'Export:', button('ndjson', 'ndjson'), button('csv', 'csv'), button('ocsf', 'ocsf.json'), status);
}

/**
 * When the decisions fill less than half of the range (a week chosen, an hour of data), the bars
 * are sized to the span from the first decision on, at least a second each, instead of leaving
 * all the data in the last bar or two.
 */
async function fitToData(hist, q, range) {
  if (!hist.first_seen || !hist.buckets.length) return hist;
  const start = hist.buckets[0].start;
  const end = start + hist.buckets.length * hist.interval_ms;
  const first = Math.floor(Date.parse(hist.first_seen) / 1000) * 1000;
  if (first - start < (end - start) / 2) return hist;
  const buckets = Math.max(1, Math.min(60, Math.ceil((end - first) / 1000)));
  const fitted = await api('/stats/histogram', { q, from: new Date(first).toISOString(), to: range.to, buckets });
  return { ...fitted, fitted: true };
}

function renderHistogram(box, params, hist) {
  const W = 1000, H = 100;
  const n = hist.buckets.length || 1;
  const max = Math.max(1, ...hist.buckets.map((b) => b.allow + b.deny));
  const bw = W / n;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'Allow and deny over time; click or drag to zoom' });
  hist.buckets.forEach((b, i) => {
    const ha = (b.allow / max) * H;
    const hd = (b.deny / max) * H;
    const g = svg('g', { 'data-start': b.start });
    const title = svg('title', {});
    title.textContent = `${new Date(b.start).toISOString()}: ${b.allow} allow, ${b.deny} deny`;
    g.append(title, svg('rect', { class: 'allow', x: i * bw + 0.5, y: H - ha, width: Math.max(bw - 1, 0.5), height: ha }),
      svg('rect', { class: 'deny', x: i * bw + 0.5, y: H - ha - hd, width: Math.max(bw - 1, 0.5), height: hd }));
    chart.append(g);
  });
  const sel = svg('rect', { class: 'sel', x: 0, y: 0, width: 0, height: H, visibility: 'hidden' });
  chart.append(sel);
  const first = hist.buckets.length ? hist.buckets[0].start : Date.now();
  const toTime = (x) => first + Math.round((x / W) * n * hist.interval_ms);
  const xOf = (ev) => { const r = chart.getBoundingClientRect(); return Math.min(W, Math.max(0, ((ev.clientX - r.left) / r.width) * W)); };
  let down = null;
  chart.addEventListener('mousedown', (ev) => { down = xOf(ev); sel.setAttribute('visibility', 'visible'); sel.setAttribute('x', down); sel.setAttribute('width', 0); });
  chart.addEventListener('mousemove', (ev) => {
    if (down === null) return;
    const x = xOf(ev);
    sel.setAttribute('x', Math.min(x, down));
    sel.setAttribute('width', Math.abs(x - down));
  });
  chart.addEventListener('mouseup', (ev) => {
    if (down === null) return;
    let a = Math.min(down, xOf(ev));
    let b = Math.max(down, xOf(ev));
    down = null;
    if (b - a < 3) { // a click: zoom to that bucket
      const i = Math.floor(a / bw);
      a = i * bw;
      b = (i + 1) * bw;
    }
    go('search', withParams(params, { from: new Date(toTime(a)).toISOString(), to: new Date(toTime(b)).toISOString() }));
  });
  const zoomOut = h('button', {
    type: 'button', class: 'quiet',
    onclick: () => {
      const span = n * hist.interval_ms;
      const mid = first + span / 2;
      go('search', withParams(params, { from: new Date(mid - span).toISOString(), to: new Date(Math.min(Date.now(), mid + span)).toISOString() }));
    },
  }, 'Zoom out');
  box.replaceChildren(
    h('div', { class: 'summary' }, h('span', { class: 'legend' },
      h('span', {}, h('span', { class: 'sw sw-allow' }), 'allow'),
      h('span', {}, h('span', { class: 'sw sw-deny' }), 'deny'),
      h('span', { id: 'bar-span' }, barSpan(hist.interval_ms) + ' per bar'
        + (hist.fitted ? ', from the first decision' : '') + '; drag to zoom')), zoomOut),
    chart);
}

function barSpan(ms) {
  if (ms < 1000) return `${fmt.n(ms)} ms`;
  if (ms < 120e3) return `${fmt.n(Math.round(ms / 1000))} s`;
  if (ms < 2 * 3600e3) return `${fmt.n(Math.round(ms / 60e3))} min`;
  return `${fmt.n(Math.round(ms / 3600e3))} h`;
}

/** Field-name completion for the last word of the query. */
function attachCompletion(input, list) {
  let items = [];
  let active = -1;
  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); active = -1; };
  const word = () => {
    const upto = input.value.slice(0, input.selectionStart);
    const m = upto.match(/(^|[\s(+-])([a-z_.]*)$/);
    return m ? { text: m[2], start: upto.length - m[2].length } : null;
  };
  const accept = (i) => {
    const w = word();
    if (!w) return;
    const before = input.value.slice(0, w.start);
    const after = input.value.slice(input.selectionStart);
    input.value = before + items[i] + ':' + after;
    const pos = (before + items[i] + ':').length;
    input.setSelectionRange(pos, pos);
    close();
  };
  const paint = () => list.querySelectorAll('li').forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
  input.addEventListener('input', () => {
    const w = word();
    if (!w || !w.text) { close(); return; }
    items = FIELDS.filter((f) => f.startsWith(w.text) && f !== w.text).slice(0, 10);
    if (!items.length) { close(); return; }
    list.replaceChildren(...items.map((f, i) => h('li', { role: 'option', id: 'q-opt-' + i, onmousedown: (e) => { e.preventDefault(); accept(i); } }, f)));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    active = 0;
    paint();
  });
  input.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown') { active = (active + 1) % items.length; paint(); e.preventDefault(); }
    else if (e.key === 'ArrowUp') { active = (active - 1 + items.length) % items.length; paint(); e.preventDefault(); }
    else if (e.key === 'Tab' || (e.key === 'Enter' && active >= 0)) { accept(active); e.preventDefault(); }
    else if (e.key === 'Escape') { close(); }
  });
  input.addEventListener('blur', close);
}
