// One application: found by id, card number or the ID number's last digits;
// its history as a timeline, its card face, its shipment and courier events.
import { ApiError, get, imageUrl } from './api.js';
import { el, clear, table, showMessage } from './dom.js';
import { t } from './i18n.js';

async function faces(id) {
  const box = el('div', { class: 'faces' });
  for (const side of ['front', 'back']) {
    try {
      const url = await imageUrl(`/api/v1/applications/${encodeURIComponent(id)}/face.png?side=${side}`);
      box.append(el('figure', {}, el('img', { src: url, alt: t(side), 'data-side': side }),
        el('figcaption', { class: 'muted' }, t(side))));
    } catch (e) {
      box.append(el('p', { class: 'muted' }, `${t(side)}: ${e.message}`));
    }
  }
  return box;
}

async function shipment(app) {
  const section = el('section', { class: 'card', id: 'shipment' }, el('h2', {}, t('shipment')));
  if (!app.shipment || !app.shipment.tracking_number) {
    section.append(el('p', { class: 'muted' }, t('no_shipment')));
    return section;
  }
  const tracking = app.shipment.tracking_number;
  section.append(el('p', {}, `${t('tracking')}: `, el('strong', { id: 'tracking' }, tracking),
    ` (${app.shipment.courier})`));
  const found = await get(`/api/v1/shipments/${encodeURIComponent(tracking)}`);
  section.append(el('h2', {}, t('courier_events')),
    table([t('at'), t('outcome'), ''], found.courier_events.map((e) =>
      [e.occurred_at, el('span', { 'data-courier-event': e.event }, e.event), e.detail])));
  return section;
}

async function details(view, id) {
  const app = await get(`/api/v1/applications/${encodeURIComponent(id)}`);
  const history = el('ol', { class: 'timeline', id: 'history' }, app.history.map((e) =>
    el('li', { 'data-state': e.to }, el('strong', {}, e.to), ' ',
      el('span', { class: 'muted' }, `${e.at} · ${e.actor}${e.reason ? ` · ${e.reason}` : ''}`))));
  view.append(el('section', { class: 'card', id: 'application' },
    el('h2', {}, `${t('application')} `, el('span', { id: 'application-id' }, app.application_id)),
    table([t('state'), t('card_number'), t('collection'), t('branch')],
      [[el('strong', { id: 'state' }, app.state), app.card_number ?? '—', app.collection,
        app.issuing_branch ?? '—']]),
    el('h2', {}, t('history')), history),
  el('section', { class: 'card' }, el('h2', {}, t('face')), await faces(id)),
  await shipment(app));
}

async function search(view, q) {
  const found = await get(`/api/v1/applications?q=${encodeURIComponent(q)}`);
  if (found.applications.length === 1) {
    await details(view, found.applications[0].application_id);
    return;
  }
  if (found.applications.length === 0) {
    view.append(el('p', { class: 'muted', id: 'none-found' }, t('none_found')));
    return;
  }
  view.append(el('section', { class: 'card', id: 'results' }, table(
    [t('application'), t('name'), t('id_number'), t('state')],
    found.applications.map((a) => [
      el('a', { href: `#/application/${encodeURIComponent(a.application_id)}` }, a.application_id),
      a.name ?? '', a.id_number ?? '', a.state]))));
}

export function show(view, session, q) {
  const input = el('input', { id: 'q', value: q, placeholder: t('search.hint'), required: true });
  const results = el('div', { id: 'found' });
  view.append(el('h1', {}, t('nav.application')),
    el('form', {
      class: 'card no-print',
      id: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = `#/application/${encodeURIComponent(input.value.trim())}`;
      },
    }, el('label', {}, el('span', {}, t('search.hint')), input),
    el('button', { type: 'submit' }, t('search'))),
    results);
  if (!q) return undefined;
  search(results, q).catch((e) => {
    clear(results);
    showMessage(e instanceof ApiError && e.status === 404 ? t('none_found') : e.message);
  });
  return undefined;
}
