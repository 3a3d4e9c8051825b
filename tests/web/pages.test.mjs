// The pages as their users meet them, in Debian's Chromium (headless): the
// sign-in, the dashboard against the API's own numbers, pause and resume, an
// application's page, and a branch counter's receipt and hand-overs. Reads
// the center to use from stdin (web_pages_test.cpp); a screenshot of each
// page goes to its `screenshots` folder. Exits non-zero at the first failure.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const input = JSON.parse(readFileSync(0, 'utf8'));
const WAIT = { timeout: 20000 };

async function api(token, method, route, body) {
  const response = await fetch(input.url + route, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(input.screenshots, `${name}.png`), fullPage: true });
}

async function signIn(page, token, clerk) {
  await page.fill('#token', token);
  await page.fill('#clerk', clerk);
  await page.click('#sign-in button[type=submit]');
}

async function text(page, selector) {
  return (await page.locator(selector).first().textContent()).trim();
}

// Until `check` holds (the pages refresh by themselves) or WAIT runs out.
async function eventually(check, what) {
  const until = Date.now() + WAIT.timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function signInIsRefusedWithABadToken(page) {
  await page.goto(`${input.url}/`);
  assert.equal(new URL(page.url()).pathname, '/ui/', '/ goes to the pages');
  await signIn(page, 'not-a-token', '');
  await page.waitForSelector('#sign-in-error:not(:empty)', WAIT);
  assert.match(await text(page, '#sign-in-error'), /令牌无效/);
  assert.equal(await page.isVisible('#nav'), false, 'nothing shown without a good token');
  await shot(page, 'sign-in');
}

async function dashboardShowsTheApisNumbers(page) {
  await page.goto(`${input.url}/ui/?refresh_ms=500`);
  await signIn(page, input.operator, '值班员');
  await page.waitForSelector('[data-count="QC_PASSED"]', WAIT);
  const summary = (await api(input.operator, 'GET', '/api/v1/summary')).body;
  assert.equal(await page.locator('[data-count]').count(), summary.applications.length);
  for (const { state, count } of summary.applications)
    assert.equal(await text(page, `[data-count="${state}"]`), String(count), state);
  assert.equal(await text(page, '#issued'), String(summary.issued));
  assert.equal(await text(page, '#outbox'), String(summary.outbox_backlog));
  assert.equal(await text(page, '#bureau'), summary.bureau);
  const bars = page.locator('svg.chart rect');
  assert.equal(await bars.count(), 24, 'a bar for each of the last 24 hours');
  // The cards passed QC a moment ago: in this hour's bar, or in the last
  // one when the hour turned since; the page's bars follow the API's.
  const [before, now] = summary.cards_per_hour.slice(22);
  assert.ok(before.cards + now.cards > 0, 'cards passed QC this hour or the last');
  await eventually(async () => {
    const hours = (await api(input.operator, 'GET', '/api/v1/summary')).body.cards_per_hour;
    return (await bars.nth(23).getAttribute('data-cards')) === String(hours[23].cards) &&
      (await bars.nth(22).getAttribute('data-cards')) === String(hours[22].cards);
  }, 'the last two bars show the API\'s cards per hour');
  assert.equal(await page.locator('[data-spoiled]').count(), Object.keys(summary.spoiled).length);
  for (const [reason, n] of Object.entries(summary.spoiled))
    assert.equal(await text(page, `[data-spoiled="${reason}"]`), String(n), reason);
  const stock = (await api(input.operator, 'GET', '/api/v1/stock')).body.lots;
  for (const lot of stock) assert.equal(await text(page, `[data-left="${lot.lot}"]`), String(lot.left));
  await shot(page, 'dashboard');
}

async function linesArePausedAndResumed(page) {
  const lines = () => api(input.operator, 'GET', '/api/v1/lines');
  const line = `/api/v1/lines/${encodeURIComponent(input.line)}`;
  await page.click(`[data-control="${line}"][data-paused="no"]`);
  await eventually(async () => (await lines()).body.lines[0].paused === true, 'line paused');
  await page.waitForSelector(`[data-control="${line}"][data-paused="yes"]`, WAIT);
  await shot(page, 'dashboard-paused');
  // A change made elsewhere shows without a click: the page refreshes itself.
  const slot = `${line}/slots/${encodeURIComponent(input.slot)}`;
  assert.equal((await api(input.operator, 'POST', `${slot}/pause`, {})).status, 200);
  await page.waitForSelector(`[data-control="${slot}"][data-paused="yes"]`, WAIT);
  await page.click(`[data-control="${line}"][data-paused="yes"]`);
  await eventually(async () => (await lines()).body.lines[0].paused === false, 'line resumed');
  assert.equal((await lines()).body.lines[0].slots[0].paused, false, 'resuming a line resumes its slots');
}

async function anApplicationsPageShowsItsWholeStory(page) {
  await page.click('#nav a[href="#/application"]');
  await page.fill('#q', input.mailed);
  await page.click('#search button[type=submit]');
  await page.waitForSelector('#application-id', WAIT);
  const app = (await api(input.operator, 'GET', `/api/v1/applications/${input.mailed}`)).body;
  assert.equal(await text(page, '#application-id'), input.mailed);
  assert.equal(await text(page, '#state'), app.state);
  assert.equal(await page.locator('#history li').count(), app.history.length);
  assert.equal(await text(page, '#tracking'), input.tracking);
  await page.waitForSelector('[data-courier-event="in_transit"]', WAIT);
  for (const side of ['front', 'back']) {
    const image = page.locator(`img[data-side="${side}"]`);
    await image.waitFor(WAIT);
    await eventually(() => image.evaluate((img) => img.complete && img.naturalWidth > 300),
      `the ${side} of the card face drawn`);
  }
  await shot(page, 'application');
  // The last digits of an ID number find its holder's application.
  await page.fill('#q', '1234');
  await page.click('#search button[type=submit]');
  await eventually(async () => (await text(page, '#application-id')) === 'WEB-BR-2',
    'found by the ID number\'s last digits');
}

async function aClerkReceivesAndHandsOver(browser) {
  const page = await (await browser.newContext({ viewport: { width: 420, height: 900 } })).newPage();
  await page.goto(`${input.url}/ui/`);
  await signIn(page, input.branch, '柜员 7');
  await page.waitForSelector('#waiting table', WAIT);
  assert.equal(await page.isVisible('#nav a[href="#/dashboard"]'), false, 'no dashboard for a clerk');
  await page.goto(`${input.url}/ui/#/dashboard`);
  await eventually(() => page.url().endsWith('#/counter'), 'a clerk sent back to the counter');
  await page.waitForSelector('#waiting table', WAIT);
  assert.equal(await page.locator('#waiting tbody tr').count(), 0, 'nothing received yet');

  await page.fill('#batch-ids', 'WEB-BR-1\nWEB-BR-2\nWEB-BR-3');
  await page.click('#batch button[type=submit]');
  await page.waitForSelector('#batch-outcomes [data-outcome]', WAIT);
  const outcomes = await page.locator('#batch-outcomes [data-outcome]').allTextContents();
  assert.deepEqual(outcomes, ['received', 'received', 'unknown'], 'another branch\'s card is unknown here');
  await eventually(async () => (await page.locator('#waiting tbody tr').count()) === 2, 'two cards waiting');
  assert.ok(!(await page.textContent('#waiting')).includes('WEB-BR-3'));
  const other = await page.evaluate(async (token) => (await fetch('/api/v1/branches/0202/pickups',
    { headers: { Authorization: `Bearer ${token}` } })).status, input.branch);
  assert.equal(other, 403, 'a clerk is kept out of another branch');
  await shot(page, 'counter');

  const pick = async (q, id) => {
    await page.fill('#pickup-q', q);
    await page.press('#pickup-q', 'Enter');
    // The list shows every waiting card until the search's answer replaces it.
    await eventually(async () => (await page.locator('[data-pick]').count()) === 1,
      `${q} finds one card`);
    await page.click(`[data-pick="${id}"]`);
  };
  await pick('李四', 'WEB-BR-2');
  await page.fill('#holder-id', input.holder_id);
  await page.click('#hand-over button[type=submit]');
  await page.waitForSelector('#hand-over-outcome:not(:empty)', WAIT);
  assert.match(await text(page, '#hand-over-outcome'), /不符/);
  await shot(page, 'hand-over-refused');

  await pick(input.holder_id.slice(-4), 'WEB-BR-1');
  await page.fill('#holder-id', input.holder_id);
  await page.click('#hand-over button[type=submit]');
  await page.waitForSelector('#handed-over', WAIT);
  assert.match(await text(page, '#receipt'), /WEB-BR-1/);
  assert.match(await text(page, '#receipt'), /柜员 7/);
  await shot(page, 'receipt');

  await page.click('#lang');
  await eventually(async () => (await text(page, '#view h1')).startsWith('Branch counter'), 'English');
  await shot(page, 'counter-en');
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
let page;
try {
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await signInIsRefusedWithABadToken(page);
  await dashboardShowsTheApisNumbers(page);
  await linesArePausedAndResumed(page);
  await anApplicationsPageShowsItsWholeStory(page);
  await aClerkReceivesAndHandsOver(browser);
  console.log('pages: all checks passed');
} catch (e) {
  if (page) await shot(page, 'failure').catch(() => {});
  console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
}
