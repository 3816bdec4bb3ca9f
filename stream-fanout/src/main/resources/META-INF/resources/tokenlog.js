// tokenlog chat page: creates a stream (POST /v1/streams), renders its server-sent events and resumes
// after the last event it applied, across a dropped connection or a page reload (sessionStorage).
// SSE contract: ../shared/ARCHITECTURE.md "SSE contract"; event payloads: stream-fanout's ChunkEvents.

const STORAGE_KEY = 'tokenlog.stream';
const TERMINAL = new Set(['done', 'error', 'cancelled']);
const OUTPUT_EVENTS = ['start', 'delta', 'reasoning', 'tool_call', 'usage', 'reset', 'done', 'cancelled'];
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

const $ = (id) => document.getElementById(id);

let state = null;   // the stream shown; saved to sessionStorage after every applied event
let source = null;  // the open EventSource, if any
let retryMs = RETRY_MIN_MS;
let retryTimer = null;
let connections = 0;

function newState(prompt, model) {
  return {
    id: null, token: null, cancelToken: null, lastEventId: null, status: 'sending', error: null, prompt, model,
    attempt: null, servedBy: null, text: '', reasoning: '', tools: [], usage: null, pieces: 0,
    sentAt: Date.now(), firstAt: null, lastOutputAt: null,
  };
}

function save() {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
}

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}

// ---- event ids: "<partition>-<offset>", the chunk's Kafka position ----

function parseId(text) {
  const match = /^(\d+)-(\d+)$/.exec(text || '');
  return match ? { partition: Number(match[1]), offset: BigInt(match[2]) } : null;
}

/** Whether an event at `id` comes after the last one applied; anything at or before it is shown already. */
function isNew(id) {
  const last = parseId(state.lastEventId);
  const next = parseId(id);
  return !last || !next || next.partition !== last.partition || next.offset > last.offset;
}

// ---- applying events ----

function onEvent(name, event) {
  if (event.target !== source || !state || TERMINAL.has(state.status)) {
    return;
  }
  // lastEventId is '' until an event on this connection carried an id: the gateway sends id-less events
  // only for a reset, and for a stream whose chunks retention dropped (its whole answer, then the terminal).
  const id = event.lastEventId;
  if (name !== 'reset' && id && !isNew(id)) {
    return; // a replay overlapping what is shown: never show a chunk twice
  }
  const data = JSON.parse(event.data);
  apply(name, data, id);
  if (id && name !== 'reset') {
    state.lastEventId = id;
  }
  if (TERMINAL.has(name)) {
    disconnect();
  }
  save();
  render();
}

function apply(name, data, id) {
  switch (name) {
    case 'start':
      state.attempt = data.attempt;
      state.servedBy = `${data.provider}/${data.model}`; // a fallback target when the first one failed
      state.status = 'streaming';
      break;
    case 'reset': // a new attempt replaces the earlier one's output
      Object.assign(state, { text: '', reasoning: '', tools: [], usage: null, pieces: 0, firstAt: null, lastOutputAt: null });
      break;
    case 'delta':
      state.text = id ? state.text + data.text : data.text; // id-less: the whole final answer
      countOutput();
      break;
    case 'reasoning':
      state.reasoning += data.text;
      countOutput();
      break;
    case 'tool_call':
      toolCall(data);
      countOutput();
      break;
    case 'usage':
      state.usage = data;
      break;
    case 'done':
      state.status = 'done';
      break;
    case 'cancelled':
      state.status = 'cancelled';
      state.error = data.reason;
      break;
    case 'error':
      state.status = 'error';
      state.error = `${data.code}: ${data.message}`;
      break;
  }
}

function toolCall(data) {
  const call = state.tools[data.index] ??= { id: null, name: null, arguments: '', finished: false };
  if (data.type === 'start') {
    call.id = data.id;
    call.name = data.name;
  } else if (data.type === 'arguments') {
    call.arguments += data.arguments ?? '';
  } else if (data.type === 'end') {
    call.finished = true;
  }
}

/** Counts one piece of output for time to first token and the token rate. */
function countOutput() {
  const now = Date.now();
  state.firstAt ??= now;
  state.lastOutputAt = now;
  state.pieces++;
}

// ---- the connection ----

function connect() {
  disconnect();
  const params = new URLSearchParams({ token: state.token });
  if (state.lastEventId) {
    params.set('after', state.lastEventId);
  }
  // The page reconnects itself (never EventSource's own retry), always with ?after= of the last event applied.
  source = new EventSource(`/v1/streams/${encodeURIComponent(state.id)}/events?${params}`);
  connections++;
  $('connections').textContent = String(connections);
  $('connections').dataset.after = params.get('after') ?? ''; // what this connection asked for
  for (const name of OUTPUT_EVENTS) {
    source.addEventListener(name, (event) => onEvent(name, event));
  }
  // "error" is both the stream's terminal event (a MessageEvent with data) and a lost connection.
  source.addEventListener('error', (event) => event.data !== undefined ? onEvent('error', event) : lost(event));
  source.addEventListener('open', () => {
    retryMs = RETRY_MIN_MS;
    if (state.status !== 'streaming') {
      state.status = state.attempt ? 'streaming' : 'connecting';
      render();
    }
  });
}

function disconnect() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (source) {
    source.close();
    source = null;
  }
}

async function lost(event) {
  if (event.target !== source) {
    return;
  }
  disconnect();
  state.status = 'reconnecting';
  render();
  const streamId = state.id;
  try {
    const response = await fetch(`/v1/streams/${encodeURIComponent(streamId)}?${new URLSearchParams({ token: state.token })}`);
    if (response.status === 404 && state.id === streamId) {
      finish('error', 'the gateway knows no stream ' + streamId);
      return;
    }
  } catch {
    // the gateway is unreachable: keep trying
  }
  if (state.id === streamId && !TERMINAL.has(state.status)) {
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }
}

function finish(status, error) {
  disconnect();
  state.status = status;
  state.error = error;
  save();
  render();
}

// ---- buttons ----

async function send(event) {
  event.preventDefault();
  let metadata;
  try {
    metadata = parseMetadata($('metadata').value);
  } catch (e) {
    showError(e.message);
    return;
  }
  const prompt = $('prompt').value;
  const model = $('model').value.trim();
  const maxTokens = $('max-tokens').value ? Number($('max-tokens').value) : undefined;
  disconnect();
  state = newState(prompt, model);
  save();
  render();
  try {
    const response = await fetch('/v1/streams', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: prompt }], max_tokens: maxTokens, metadata }),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      finish('error', body?.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${response.status}`);
      return;
    }
    state.id = body.id;
    state.token = body.token;              // reads: events and status
    state.cancelToken = body.cancel_token; // cancels (a read token cannot)
    state.status = 'connecting';
    save();
    render();
    connect();
  } catch (e) {
    finish('error', 'the gateway did not answer: ' + e.message);
  }
}

/** "mock.tps=10 mock.ttft-ms=500" → {"mock.tps": "10", "mock.ttft-ms": "500"} */
function parseMetadata(text) {
  const metadata = {};
  for (const pair of text.split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new Error(`metadata "${pair}" is not key=value`);
    }
    metadata[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return metadata;
}

async function cancel() {
  $('cancel').disabled = true;
  const params = new URLSearchParams({ token: state.cancelToken });
  // The gateway takes POSTs as JSON only (CSRF): the content type is required even without a body.
  const response = await fetch(`/v1/streams/${encodeURIComponent(state.id)}/cancel?${params}`,
    { method: 'POST', headers: { 'content-type': 'application/json' } }).catch(() => null);
  // 409: it ended already; either way the stream's own terminal event ends the display.
  if (!response || (!response.ok && response.status !== 409)) {
    showError('cancel failed: ' + (response ? `HTTP ${response.status}` : 'the gateway did not answer'));
    render();
  }
}

function drop() {
  if (state?.id && !TERMINAL.has(state.status)) {
    state.status = 'reconnecting';
    connect();
    render();
  }
}

// ---- rendering ----

function render() {
  const active = Boolean(state && !TERMINAL.has(state.status));
  const streaming = active && Boolean(state.id);
  $('send').disabled = active;
  $('cancel').disabled = !streaming;
  $('drop').disabled = !streaming;
  $('status').textContent = state?.status ?? 'idle';
  $('status').dataset.status = state?.status ?? 'idle';
  $('stream-id').textContent = state?.id ?? '–';
  $('served-by').textContent = state?.servedBy ?? '–';
  $('last-event-id').textContent = state?.lastEventId ?? '–';
  if (!state) {
    return;
  }
  $('output').textContent = state.text;
  $('reasoning').textContent = state.reasoning;
  $('reasoning-box').hidden = !state.reasoning;
  renderTools();
  showError(state.error);
  renderRates();
}

function renderTools() {
  const list = $('tool-calls');
  list.replaceChildren(...state.tools.filter(Boolean).map((call) => {
    const item = document.createElement('li');
    item.textContent = `${call.name ?? '?'}(${call.arguments})${call.finished ? '' : ' …'}`;
    item.title = call.id ?? '';
    return item;
  }));
  list.hidden = list.children.length === 0;
}

function renderRates() {
  $('ttft').textContent = state.firstAt ? `${state.firstAt - state.sentAt} ms` : '–';
  // Decode rate: the tokens after the first over the time since it (usage's count once it arrived).
  const tokens = state.usage?.output ?? state.pieces;
  const seconds = state.firstAt ? (state.lastOutputAt - state.firstAt) / 1000 : 0;
  $('tps').textContent = tokens > 1 && seconds > 0 ? `${((tokens - 1) / seconds).toFixed(1)} tokens/s` : '–';
}

function showError(message) {
  $('error').textContent = message ?? '';
  $('error').hidden = !message;
}

// ---- start: show the stored stream and resume it where the last event left it ----

function restore() {
  state = load();
  if (state && !state.id && !TERMINAL.has(state.status)) {
    state.status = 'error';
    state.error = 'the page was reloaded before the gateway accepted the request; send it again';
    save();
  }
  if (state) {
    $('prompt').value = state.prompt ?? '';
    $('model').value = state.model ?? $('model').value;
  }
  render();
  if (state && !TERMINAL.has(state.status)) {
    connect();
  }
}

$('ask').addEventListener('submit', send);
$('cancel').addEventListener('click', cancel);
$('drop').addEventListener('click', drop);
restore();
