// A branch's counter: cards waiting here, found by name or the ID number's
// last digits; a delivery batch received; a hand-over once the holder's full
// ID number matches, with a receipt to print.
import { ApiError, get, post } from './api.js';
import { el, clear, table, showMessage } from './dom.js';
import { t } from './i18n.js';

function receipt(session, card) {
  return el('section', { class: 'card receipt', id: 'receipt' },
    el('h2', {}, t('hand_over.receipt')),
    table([t('application'), t('name'), t('id_number'), t('branch'), t('clerk'), t('at')],
      [[card.application_id, card.name ?? '', card.id_number ?? '', session.me.branch,
        session.clerk, new Date().toLocaleString()]]),
    el('p', { class: 'ok', id: 'handed-over' }, t('hand_over.done')),
    el('button', { type: 'button', class: 'no-print', onclick: () => window.print() },
      t('hand_over.print')));
}

function handOverForm(session, card, place, reload) {
  const idNumber = el('input', { id: 'holder-id', autocomplete: 'off', required: true });
  const outcome = el('p', { id: 'hand-over-outcome', role: 'alert' });
  return el('form', {
    class: 'card no-print',
    id: 'hand-over',
    onsubmit: async (event) => {
      event.preventDefault();
      outcome.className = 'error';
      if (!session.clerk) {
        outcome.textContent = t('clerk.missing');
        return;
      }
      try {
        await post(`/api/v1/pickups/${encodeURIComponent(card.application_id)}/collect`,
          { id_number: idNumber.value.trim(), clerk: session.clerk });
        clear(place).append(receipt(session, card));
        reload();
      } catch (e) {
        outcome.textContent = e instanceof ApiError && e.code === 'fulfilment.id_mismatch'
          ? t('hand_over.mismatch') : e.message;
      }
    },
  }, el('h2', {}, `${t('hand_over.title')}: ${card.application_id}`),
  el('p', {}, [card.name, card.id_number].filter(Boolean).join(' · ')),
  el('label', {}, el('span', {}, t('hand_over.id')), idNumber),
  el('button', { type: 'submit' }, t('hand_over.submit')), outcome);
}

function receiptForm(session, code, reload) {
  const ids = el('textarea', { id: 'batch-ids', rows: 4, required: true });
  const outcomes = el('div', { id: 'batch-outcomes' });
  return el('form', {
    class: 'card no-print',
    id: 'batch',
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const applications = ids.value.split(/\s+/).filter(Boolean);
        const answer = await post(`/api/v1/branches/${encodeURIComponent(code)}/receipts`,
          { applications, clerk: session.clerk });
        clear(outcomes).append(table([t('application'), t('outcome')], answer.outcomes.map((o) =>
          [o.application_id, el('span', { 'data-outcome': o.outcome }, o.outcome)])));
        reload();
      } catch (e) {
        clear(outcomes).append(el('p', { class: 'error' }, e.message));
      }
    },
  }, el('h2', {}, t('receipt.title')), el('label', {}, el('span', {}, t('receipt.ids')), ids),
  el('button', { type: 'submit' }, t('receipt.submit')), outcomes);
}

export function show(view, session) {
  const code = session.me.branch;
  const q = el('input', { id: 'pickup-q', placeholder: `${t('name')} / ${t('id_number')}` });
  const list = el('section', { class: 'card', id: 'waiting' });
  const place = el('div', { id: 'hand-over-place' });
  const load = async () => {
    try {
      const query = q.value.trim() ? `?q=${encodeURIComponent(q.value.trim())}` : '';
      const found = await get(`/api/v1/branches/${encodeURIComponent(code)}/pickups${query}`);
      clear(list).append(el('h2', {}, `${t('waiting')} (${code})`),
        table([t('application'), t('name'), t('id_number'), t('ready_since'), ''],
          found.cards.map((card) => [card.application_id, card.name ?? '', card.id_number ?? '',
            card.ready_since, el('button', {
              type: 'button',
              'data-pick': card.application_id,
              onclick: () => clear(place).append(handOverForm(session, card, place, load)),
            }, t('pick'))])));
      showMessage('');
    } catch (e) {
      showMessage(e.message);
    }
  };
  view.append(el('h1', {}, `${t('nav.counter')} ${code}`),
    el('form', {
      class: 'card no-print',
      onsubmit: (event) => {
        event.preventDefault();
        load();
      },
    }, el('label', {}, el('span', {}, t('search')), q), el('button', { type: 'submit' }, t('search'))),
    list, place, receiptForm(session, code, load));
  load();
  return undefined;
}
