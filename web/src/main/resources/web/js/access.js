import { api, h, href, go, fmt, quoted, rangePicker, timeCell } from './core.js';

/** Agent access: what an actor (or a user's agents) did, each value a link into the search. */
export async function render(main, params) {
  const by = params.get('on_behalf_of') ? 'on_behalf_of' : 'actor';
  const value = params.get(by) || '';
  const picker = rangePicker(params);
  const kind = h('select', { name: 'by', 'aria-label': 'Look up by' },
    h('option', { value: 'actor', selected: by === 'actor' }, 'Actor id'),
    h('option', { value: 'on_behalf_of', selected: by === 'on_behalf_of' }, 'On behalf of (user)'));
  const input = h('input', { name: 'who', id: 'who-input', value, size: 48, 'aria-label': 'Actor id or user', placeholder: 'spiffe://acme.example/agent/release-bot-1', required: true });
  const form = h('form', { class: 'bar' }, kind, input, picker.el, h('button', { type: 'submit' }, 'Show access'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const r = picker.read();
    go('access', { [kind.value]: input.value.trim(), from: r.from, to: r.to });
  });
  main.replaceChildren(h('h1', {}, 'Agent access'), h('div', { class: 'panel' }, form));
  if (!value) {
    main.append(h('p', { class: 'muted' }, 'Pick an actor, or a user to see all the agents acting for them. Actor ids in search results link here.'));
    return;
  }
  const range = { from: params.get('from') || 'now-24h', to: params.get('to') || '' };
  const a = await api('/access', { [by]: value, ...range });
  const field = by === 'actor' ? 'actor.id' : 'actor.on_behalf_of';
  const who = field + ':' + quoted(value);
  const searchLink = (extra, label) => h('a', { href: href('search', { q: extra ? who + ' AND ' + extra : who, ...range }) }, label);

  const cards = h('div', { class: 'cards', id: 'access-totals' },
    card('Decisions', a.totals.decisions, 'decisions', searchLink('kind:decision', 'search')),
    card('Allowed', a.totals.allow, 'allow', searchLink('decision:allow', 'search')),
    card('Denied', a.totals.deny, 'deny', searchLink('decision:deny', 'search'), a.totals.deny > 0));

  const tools = h('table', { id: 'access-tools' },
    h('thead', {}, h('tr', {}, ['Server', 'Method', 'Tool', 'Allow', 'Deny', 'First seen', 'Last seen', 'Resources', 'Handles']
      .map((t, i) => h('th', { scope: 'col', class: i === 3 || i === 4 ? 'num' : null }, t)))),
    h('tbody', {}, a.tools.map((t) => {
      const toolQ = 'tool.server:' + quoted(t.server) + ' AND tool.name:' + quoted(t.name);
      return h('tr', { 'data-tool': t.server + '/' + t.name },
        h('td', {}, searchLink('tool.server:' + quoted(t.server), t.server)),
        h('td', { class: 'mono' }, t.method),
        h('td', {}, searchLink(toolQ, t.name)),
        h('td', { class: 'num', 'data-allow': t.allow }, searchLink(toolQ + ' AND decision:allow', fmt.n(t.allow))),
        h('td', { class: 'num', 'data-deny': t.deny }, searchLink(toolQ + ' AND decision:deny', fmt.n(t.deny))),
        timeCell(t.first_seen),
        timeCell(t.last_seen),
        h('td', { class: 'mono' }, t.resources.length ? t.resources.slice(0, 5).join(', ') + (t.resources.length > 5 ? ` (+${t.resources.length - 5})` : '') : '—'),
        h('td', { class: 'mono' }, t.handles.slice(0, 3).map((id) => [h('a', { href: href('handle', { id }) }, id), ' ']),
          t.handles.length > 3 ? `(+${t.handles.length - 3})` : ''));
    })));

  const reasons = h('ul', { id: 'access-reasons' }, Object.entries(a.deny_reasons).map(([code, n]) =>
    h('li', { 'data-reason': code }, searchLink('reason_code:' + code, code), ' ', h('span', { class: 'muted' }, fmt.n(n)))));
  const handles = h('table', { id: 'access-handles' },
    h('thead', {}, h('tr', {}, ['Handle', 'Decisions', 'First seen', 'Last seen'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, a.handles.map((x) => h('tr', {},
      h('td', { class: 'mono' }, h('a', { href: href('handle', { id: x.id }) }, x.id)),
      h('td', { class: 'num' }, searchLink('handle.id:' + quoted(x.id), fmt.n(x.decisions))),
      timeCell(x.first_seen), timeCell(x.last_seen)))));

  main.append(
    h('div', { class: 'panel' }, h('h2', {}, (by === 'actor' ? 'Actor ' : 'Agents acting for ') + value), cards),
    h('div', { class: 'panel' }, h('h2', {}, 'Tools'), a.tools.length ? h('div', { class: 'scroll' }, tools) : h('p', { class: 'muted' }, 'No decisions in this range.')),
    h('div', { class: 'grid2' },
      h('div', { class: 'panel' }, h('h2', {}, 'Deny reasons'), Object.keys(a.deny_reasons).length ? reasons : h('p', { class: 'muted' }, 'No denies.')),
      h('div', { class: 'panel' }, h('h2', {}, 'Handles used'), a.handles.length ? h('div', { class: 'scroll' }, handles) : h('p', { class: 'muted' }, 'No handles.'))));
}

function card(label, n, key, link, bad) {
  return h('div', { class: 'card' + (bad ? ' bad' : ''), 'data-total': key },
    h('div', { class: 'muted' }, label), h('div', { class: 'big' }, fmt.n(n)), link);
}
