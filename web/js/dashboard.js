// The center at a glance, refreshed by itself: states, cards per hour, lines
// with pause/resume, spoilage, stock, outbox and the bureau.
import { get, post } from './api.js';
import { el, clear, table, showMessage } from './dom.js';
import { t } from './i18n.js';

const REFRESH_MS = Number(new URLSearchParams(location.search).get('refresh_ms')) || 5000;

// The API counts by UTC hour; the counter's clock is local.
function localHour(utc) {
  return new Date(utc).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function chart(hours) {
  const width = 480;
  const height = 120;
  const most = Math.max(1, ...hours.map((h) => h.cards));
  const bar = width / hours.length;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('viewBox', `0 0 ${width} ${height + 14}`);
  svg.setAttribute('role', 'img');
  hours.forEach((h, i) => {
    const rect = document.createElementNS(svg.namespaceURI, 'rect');
    const tall = Math.round((h.cards / most) * height);
    rect.setAttribute('x', String(i * bar + 1));
    rect.setAttribute('y', String(height - tall));
    rect.setAttribute('width', String(bar - 2));
    rect.setAttribute('height', String(tall));
    rect.setAttribute('data-hour', h.hour);
    rect.setAttribute('data-cards', String(h.cards));
    const title = document.createElementNS(svg.namespaceURI, 'title');
    title.textContent = `${localHour(h.hour)}: ${h.cards}`;
    rect.append(title);
    svg.append(rect);
    if (i % 6 === 0) {
      const label = document.createElementNS(svg.namespaceURI, 'text');
      label.setAttribute('x', String(i * bar));
      label.setAttribute('y', String(height + 12));
      label.textContent = localHour(h.hour);
      svg.append(label);
    }
  });
  return svg;
}

function pauseButton(paused, path, refresh) {
  return el('button', {
    type: 'button',
    class: paused ? '' : 'secondary',
    'data-control': path,
    'data-paused': paused ? 'yes' : 'no',
    onclick: async () => {
      try {
        await post(`${path}/${paused ? 'resume' : 'pause'}`);
        await refresh();
      } catch (e) {
        showMessage(e.message);
      }
    },
  }, t(paused ? 'resume' : 'pause'));
}

function linesCard(lines, refresh) {
  const rows = [];
  for (const line of lines) {
    const path = `/api/v1/lines/${encodeURIComponent(line.name)}`;
    rows.push([el('strong', {}, line.name), '', line.printer, t(line.paused ? 'paused' : 'running'),
      '', '', Math.round(line.cards_per_hour), '', pauseButton(line.paused, path, refresh)]);
    for (const slot of line.slots) {
      rows.push(['', slot.slot, slot.reader || '—',
        slot.paused ? t('paused') : (slot.activity ?? '—'), slot.made ?? 0, slot.spoiled ?? 0,
        Math.round(slot.cards_per_hour ?? 0),
        slot.hopper ? `${slot.hopper.lot}: ${slot.hopper.left}` : '—',
        pauseButton(slot.paused, `${path}/slots/${encodeURIComponent(slot.slot)}`, refresh)]);
    }
  }
  return el('section', { class: 'card', id: 'lines' }, el('h2', {}, t('lines')),
    table([t('line'), t('slot'), `${t('reader')} / ${t('printer')}`, t('activity'), t('made'), t('spoiled'),
      t('cards_per_hour'), t('hopper'), ''], rows));
}

function render(view, summary, lines, stock, refresh) {
  clear(view).append(
    el('h1', {}, t('nav.dashboard')),
    el('p', { class: 'muted', id: 'refreshed' }, `${t('refreshed')} ${new Date().toLocaleTimeString()}`),
    el('div', { class: 'grid' },
      el('section', { class: 'card', id: 'states' }, el('h2', {}, t('states')),
        table([t('state'), t('count')], summary.applications.map(({ state, count }) =>
          [state, el('span', { 'data-count': state }, count)]))),
      el('section', { class: 'card' },
        el('h2', {}, t('issued'), ': ', el('span', { id: 'issued' }, summary.issued)),
        el('h2', {}, t('per_hour')), chart(summary.cards_per_hour),
        el('h2', {}, t('outbox'), ': ', el('span', { id: 'outbox' }, summary.outbox_backlog)),
        el('h2', {}, t('bureau'), ': ', el('span', {
          id: 'bureau', class: summary.bureau === 'ok' ? 'ok' : 'error' }, summary.bureau))),
      el('section', { class: 'card', id: 'spoilage' }, el('h2', {}, t('spoilage')),
        table([t('reason'), t('count')], Object.entries(summary.spoiled).map(([reason, n]) =>
          [reason, el('span', { 'data-spoiled': reason }, n)]))),
      el('section', { class: 'card', id: 'stock' }, el('h2', {}, t('stock')),
        table([t('lot'), t('received'), t('used'), t('spoiled'), t('left')], stock.lots.map((l) =>
          [l.lot, l.received, l.used, l.spoiled, el('span', { 'data-left': l.lot }, l.left)])))),
    linesCard(lines.lines, refresh));
}

export function show(view) {
  let timer = null;
  let stopped = false;
  const refresh = async () => {
    clearTimeout(timer);
    try {
      const [summary, lines, stock] = await Promise.all(
        [get('/api/v1/summary'), get('/api/v1/lines'), get('/api/v1/stock')]);
      if (stopped) return;
      render(view, summary, lines, stock, refresh);
      showMessage('');
    } catch (e) {
      showMessage(e.message);
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  };
  refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
