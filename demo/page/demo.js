// The demo: drives the producer like an app would and shows, live, what it
// does: queue, deliveries, outage state, counters, and the consumer's faults.
import { init, sendEvent, bus, flush, getStats, isOutage, setConsentCategory } from '/dist/index.js';

const $ = (id) => document.getElementById(id);
const EVENTS = {
  NECESSARY: 'playback_session',
  PERFORMANCE: 'page_view',
  TARGETING: 'ad_impression',
};
// Delivered counts sampled once a second for the chart.
const CHART_SECONDS = 60;
// The figures refresh twice a second: live to the eye, light on the worker.
const REFRESH_MS = 500;
// The stored events listed, read once a second with the chart.
const LATEST_EVENTS = 5;
const history = [];
let sent = 0;
let lastDelivered = null;
// The error on screen and when it was first seen: getStats gives the text of
// the last error, not its time, so the time is that of the poll that saw it
// (within REFRESH_MS of the failure).
let shownError = null;
let lastFailures = 0;
// When the last demo tab went away (pagehide), kept across visits: what the
// consumer stored between then and this page's load arrived while no tab
// was open, sent by the service worker.
const CLOSED_AT_KEY = 'demo-closed-at';
const closedAt = Number(localStorage.getItem(CLOSED_AT_KEY)) || null;
const loadedAt = Date.now();
const SERVICE_WORKER_SCOPE = '/dist/';

function event(category) {
  return {
    name: EVENTS[category],
    consentCategory: category,
    payload: {
      trackId: 1000 + Math.floor(Math.random() * 9000),
      positionMs: Math.floor(Math.random() * 240000),
      at: new Date().toISOString(),
    },
  };
}

function send(category, count = 1) {
  for (let i = 0; i < count; i++) sendEvent(event(category));
  sent += count;
  $('sent-count').textContent = sent.toLocaleString();
}

function showOutage(outage) {
  const indicator = $('outage-indicator');
  indicator.textContent = outage ? 'Outage' : 'Delivering';
  indicator.className = `indicator ${outage ? 'outage' : 'ok'}`;
}

function logBus(text) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  $('bus-log').prepend(item);
  while ($('bus-log').children.length > 20) $('bus-log').lastChild.remove();
}

async function setFault(button) {
  const response = await fetch('/consumer/control', {
    method: 'POST',
    body: button.dataset.fault,
    headers: { 'Content-Type': 'application/json' },
  });
  const config = await response.json();
  $('consumer-mode').textContent = `mode: ${config.mode}`;
  document.querySelectorAll('.faults button').forEach((b) => b.classList.toggle('active', b === button));
}

function drawChart() {
  const svg = $('chart');
  const max = Math.max(10, ...history);
  const step = 600 / (CHART_SECONDS - 1);
  const points = history.map((v, i) => `${(i + CHART_SECONDS - history.length) * step},${155 - (v / max) * 140}`);
  svg.innerHTML =
    `<text x="6" y="14" font-size="11" fill="#5b6577">${max.toLocaleString()}/s</text>` +
    `<line x1="0" y1="155" x2="600" y2="155" stroke="#d5dae3"/>` +
    (points.length > 1 ? `<polyline fill="none" stroke="#2c5ee8" stroke-width="2" points="${points.join(' ')}"/>` : '');
}

async function refresh() {
  const [stats, consumer] = await Promise.all([
    getStats().catch(() => null),
    fetch('/consumer/stats')
      .then((r) => r.json())
      .catch(() => null),
  ]);
  if (stats) {
    $('queue-depth').textContent = stats.queued.toLocaleString();
    $('queue-bytes').textContent = stats.queuedBytes.toLocaleString();
    $('in-flight').textContent = stats.inFlightBatches;
    showLastError(stats);
    $('storage').textContent =
      `${stats.persistent ? 'IndexedDB' : 'memory only'} · tabs: ${stats.coordination} · ${stats.durable ? 'durable' : 'syncing'}`;
    $('counters').textContent = JSON.stringify(stats.counters, null, 1);
  }
  if (consumer) {
    $('delivered-count').textContent = consumer.accepted.toLocaleString();
    $('duplicates-count').textContent = consumer.duplicates.toLocaleString();
    $('consumer-mode').textContent = `mode: ${consumer.faults.mode}`;
    $('consumer-sink').textContent =
      consumer.sink?.kind === 'jetstream'
        ? `Delivered: the events JetStream stream ${consumer.sink.stream} holds (${consumer.sink.servers.join(', ')}).`
        : "Delivered: the events in the consumer's file.";
    return consumer.accepted;
  }
  return null;
}

/** The last error with the time it was seen, dimmed once delivery has recovered. */
function showLastError(stats) {
  const failedAgain = stats.consecutiveFailures > lastFailures;
  lastFailures = stats.consecutiveFailures;
  if (stats.lastError && (failedAgain || stats.lastError !== shownError?.text)) {
    shownError = { text: stats.lastError, at: new Date() };
  }
  const line = $('last-error');
  if (!shownError) {
    line.textContent = '—';
    return;
  }
  const recovered = !stats.outage && stats.consecutiveFailures === 0;
  const time = document.createElement('time');
  time.dateTime = shownError.at.toISOString();
  time.textContent = shownError.at.toLocaleTimeString();
  line.replaceChildren(time, shownError.text, recovered ? ' · recovered' : '');
  line.title = recovered ? 'delivery has recovered since' : '';
  line.classList.toggle('recovered', recovered);
}

/** The consumer's latest stored events (read from its sink: the file, or the JetStream stream), newest first. */
async function showLatestEvents() {
  const page = await fetch(`/consumer/events?last=${LATEST_EVENTS}`)
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  if (!page) return;
  $('latest-events').replaceChildren(
    ...page.events.reverse().map((stored) => {
      const item = document.createElement('li');
      item.textContent = `${new Date(stored.receivedAt).toLocaleTimeString()} ${stored.name} ${stored.id}`;
      if (arrivedWhileClosed(stored)) {
        item.classList.add('while-closed');
        item.textContent += ' · while no tab was open';
      }
      return item;
    }),
  );
}

function arrivedWhileClosed(stored) {
  return closedAt !== null && stored.receivedAt > closedAt && stored.receivedAt < loadedAt;
}

/** How many events the consumer stored while no demo tab was open (its latest 1,000). */
async function showWhileClosed() {
  if (closedAt === null) return;
  const page = await fetch('/consumer/events?last=1000')
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  if (!page) return;
  const count = page.events.filter(arrivedWhileClosed).length;
  $('while-closed').textContent =
    `${count} events arrived between ${new Date(closedAt).toLocaleTimeString()} and this visit`;
}

/**
 * The switch registers the package's service worker (or removes it) and
 * reloads: init's serviceWorker option follows the registration.
 */
async function setUpServiceWorkerSwitch(registered) {
  const box = $('service-worker');
  const state = $('service-worker-state');
  if (!navigator.serviceWorker) {
    box.disabled = true;
    state.textContent = 'service workers are not available here';
    return;
  }
  box.checked = registered;
  const registration = await navigator.serviceWorker.getRegistration(SERVICE_WORKER_SCOPE);
  if (registered)
    state.textContent =
      'sync' in registration ? 'registered, Background Sync' : 'registered, no Background Sync in this browser';
  box.onchange = async () => {
    if (box.checked) {
      await navigator.serviceWorker.register('/dist/service-worker.js', {
        type: 'module',
        scope: SERVICE_WORKER_SCOPE,
      });
    } else {
      await (await navigator.serviceWorker.getRegistration(SERVICE_WORKER_SCOPE))?.unregister();
    }
    location.reload();
  };
}

async function sampleChart() {
  showLatestEvents();
  const delivered = await refresh();
  if (delivered === null) return;
  if (lastDelivered !== null) history.push(Math.max(0, delivered - lastDelivered));
  lastDelivered = delivered;
  while (history.length > CHART_SECONDS) history.shift();
  drawChart();
}

async function main() {
  bus((e) => {
    showOutage(e.detail.name === 'OutageStartError');
    logBus(e.detail.name);
  });
  let loggedIn = true;
  const serviceWorker = !!(await navigator.serviceWorker?.getRegistration(SERVICE_WORKER_SCOPE));
  addEventListener('pagehide', () => localStorage.setItem(CLOSED_AT_KEY, String(Date.now())));
  await init({
    appInfo: { appName: 'event-producer-demo', appVersion: '1.0.0' },
    platform: {
      browserName: navigator.userAgentData?.brands?.[0]?.brand ?? 'browser',
      browserVersion: navigator.userAgentData?.brands?.[0]?.version ?? '1',
      osName: navigator.userAgentData?.platform ?? 'unknown',
    },
    blockedConsentCategories: { NECESSARY: false, PERFORMANCE: false, TARGETING: false },
    credentialsProvider: {
      bus: () => {},
      getCredentials: async () => ({ clientId: 'demo-client', token: loggedIn ? 'demo-token' : undefined }),
    },
    tlConsumerUri: new URL('/api/event-batch', location).href,
    tlPublicConsumerUri: new URL('/api/public/event-batch', location).href,
    eventBatchInterval: 1000,
    monitoringInterval: 10000,
    serviceWorker,
  }).catch((error) => logBus(`init: ${error.message}`));
  showOutage(isOutage());

  $('send-necessary').onclick = () => send('NECESSARY');
  $('send-performance').onclick = () => send('PERFORMANCE');
  $('send-targeting').onclick = () => send('TARGETING');
  $('send-burst').onclick = () => send('NECESSARY', Math.max(1, Number($('burst-size').value) || 1));
  $('flush').onclick = () => flush();
  $('reload').onclick = () => location.reload();
  for (const category of ['PERFORMANCE', 'TARGETING']) {
    $(`block-${category.toLowerCase()}`).onchange = (e) =>
      setConsentCategory({ [category]: e.target.checked }, { purge: $('purge').checked });
  }
  document.querySelectorAll('.faults button').forEach((button) => (button.onclick = () => setFault(button)));
  setUpServiceWorkerSwitch(serviceWorker);
  showWhileClosed();
  drawChart();
  setInterval(refresh, REFRESH_MS);
  setInterval(sampleChart, 1000);
}

main();
