// Ferry's web UI: a hash-routed page over the public /api, no framework, no build step.
// Each view renders once, then refreshes its data regions by polling (backing off on errors);
// a region is re-drawn only when its data changed, so focus and selections survive refreshes.

import { dashboardView } from './dashboard.js';

const KEY = 'ferry.apiKey';
const REFRESH_MS = 2000;
const MAX_BACKOFF_MS = 30000;
const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'];
const STATE_TYPES = ['SCHEDULED', 'PENDING', 'RUNNING', 'CANCELLING', 'COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED'];
const QUEUE_MEANING = {
  READY: 'a worker polled this queue in the last 60 seconds, so its runs are being picked up',
  NOT_READY: 'no worker has polled this queue in the last 60 seconds; its runs wait until one does',
  PAUSED: 'paused: no run of this queue is handed to a worker until it is resumed',
};
const POOL_MEANING = {
  READY: 'at least one worker of this pool is online',
  NOT_READY: 'no worker of this pool is online; its runs wait until one starts',
  PAUSED: 'paused: no run of this pool is handed to a worker until it is resumed',
};
const WORKER_MEANING = {
  ONLINE: 'the worker sent a heartbeat recently',
  OFFLINE: 'the worker missed 3 heartbeats in a row',
};

const main = document.getElementById('main');
let current = null; // the mounted view: {dispose()}

// ---------- DOM helpers ----------

function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid == null || kid === false) continue;
    el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

/** Re-draws `el` from `data` only when the data changed; keeps keyboard focus on the "same" control. */
const drawn = new WeakMap(); // region -> the JSON it was last drawn from

function update(el, data, build) {
  const key = JSON.stringify(data);
  if (drawn.get(el) === key) return;
  drawn.set(el, key);
  const focused = document.activeElement && el.contains(document.activeElement)
    ? document.activeElement.getAttribute('data-focus') : null;
  el.replaceChildren(...[build(data)].flat(Infinity).filter((n) => n != null));
  if (focused) {
    const again = el.querySelector(`[data-focus="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}

function table(caption, headers, rows, empty) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', null,
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', null, rows)));
}

function link(href, text) {
  return h('a', { href }, text);
}

function pre(value) {
  return h('pre', { class: 'json' }, JSON.stringify(value ?? null, null, 2));
}

function dl(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter((p) => p).map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v ?? '—'))));
}

function enc(s) {
  return encodeURIComponent(s);
}

// ---------- time ----------

function exact(iso) {
  const d = new Date(iso);
  return `${d.toLocaleString()} (${iso})`;
}

function relative(iso) {
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  let n; let unit;
  if (s < 60) { n = s; unit = 'second'; } else if (s < 3600) { n = Math.floor(s / 60); unit = 'minute'; } else if (s < 86400) { n = Math.floor(s / 3600); unit = 'hour'; } else if (s < 60 * 86400) { n = Math.floor(s / 86400); unit = 'day'; } else if (s < 730 * 86400) { n = Math.floor(s / (30 * 86400)); unit = 'month'; } else { n = Math.floor(s / (365 * 86400)); unit = 'year'; }
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return future ? `in ${text}` : `${text} ago`;
}

/** A relative time ("12 seconds ago") with the exact time on hover; kept current by the ticker below. */
function when(iso, never = 'never') {
  if (!iso) return h('span', { class: 'muted' }, never);
  return h('time', { datetime: iso, title: exact(iso), 'data-rel': '' }, relative(iso));
}

function durationText(start, end) {
  const s = Math.max(0, Math.round(((end ? Date.parse(end) : Date.now()) - Date.parse(start)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** How long a run took, or has taken so far (kept current by the ticker below while it runs). */
function duration(start, end) {
  if (!start) return h('span', { class: 'muted' }, '—');
  return h('span', end ? null : { 'data-since': start }, durationText(start, end));
}

setInterval(() => {
  for (const t of document.querySelectorAll('time[data-rel]')) {
    const text = relative(t.getAttribute('datetime'));
    if (t.textContent !== text) t.textContent = text;
  }
  for (const d of document.querySelectorAll('[data-since]')) {
    const text = durationText(d.getAttribute('data-since'));
    if (d.textContent !== text) d.textContent = text;
  }
}, 1000);

// ---------- status icons and badges ----------

function statusIcon(status, meanings) {
  const meaning = meanings[status] || status;
  return h('span', { class: `status status-${String(status).toLowerCase()}`, 'data-status': status, title: `${status}: ${meaning}` },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span', null, status),
    h('span', { class: 'visually-hidden' }, `: ${meaning}`));
}

function stateBadge(state) {
  if (!state) return h('span', { class: 'muted' }, '—');
  return h('span', { class: `state state-${state.type.toLowerCase()}`, 'data-state': state.type, title: state.message || state.type },
    state.name || state.type);
}

// ---------- the API ----------

class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.field = problem && problem.field;
  }
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const key = sessionStorage.getItem(KEY);
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch (e) {
    throw new ApiError(0, { detail: `the server can't be reached (${e.message})` });
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) {
    const error = new ApiError(res.status, data || { detail: text || res.statusText });
    if (res.status === 401) login(error.message);
    throw error;
  }
  return data;
}

/** Every item of a paged list (pools, queues, workers), following `next` for up to ten pages of 200. */
async function listAll(path) {
  const items = [];
  let next = null;
  for (let page = 0; page < 10; page++) {
    const data = await api('GET', `${path}${query({ limit: 200, next })}`);
    items.push(...data.items);
    next = data.next;
    if (!next) break;
  }
  return { items };
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of [].concat(v)) if (x != null && x !== '') q.append(k, x);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// ---------- views: mounting, polling, notices ----------

/** What a view gets: its root, a poller that backs off on errors, a notice line, and cleanup. */
function context(root) {
  const stops = [];
  const notice = h('p', { class: 'notice', role: 'status', hidden: true });
  const ctx = {
    root,
    notice,
    disposed: false,
    say(text, kind = 'error') {
      notice.textContent = text || '';
      notice.className = `notice notice-${kind}`;
      notice.hidden = !text;
    },
    poll(fn, every = REFRESH_MS) {
      let timer = null; let delay = every; let running = false; let stopped = false; let again = false;
      const tick = async () => {
        if (running) { again = true; return; } // asked for while a refresh runs: one more right after it
        clearTimeout(timer);
        timer = null;
        if (stopped) return;
        if (document.hidden) { timer = setTimeout(tick, every); return; }
        running = true;
        try {
          await fn();
          delay = every;
          if (notice.dataset.poll) { ctx.say(''); delete notice.dataset.poll; }
        } catch (e) {
          if (e.status === 401) { stopped = true; running = false; return; }
          delay = Math.min(delay * 2, MAX_BACKOFF_MS);
          ctx.say(`Could not refresh: ${e.message}. Trying again in ${Math.round(delay / 1000)} s.`);
          notice.dataset.poll = '1';
        }
        running = false;
        if (!stopped) timer = setTimeout(tick, again ? 0 : delay);
        again = false;
      };
      const poller = { now: tick, stop() { stopped = true; clearTimeout(timer); } };
      stops.push(() => poller.stop());
      tick();
      return poller;
    },
    onDispose(fn) { stops.push(fn); },
    dispose() { ctx.disposed = true; stops.forEach((f) => f()); },
  };
  return ctx;
}

function heading(ctx, text, ...extra) {
  document.title = `${text} · Ferry`;
  const h1 = h('h1', { tabindex: '-1' }, text);
  ctx.root.append(h('div', { class: 'page-head' }, h1, ...extra), ctx.notice);
  return h1;
}

/** Runs an action from a button: disabled while it runs, failures said in the view's notice. */
async function act(ctx, button, fn) {
  button.disabled = true;
  try {
    await fn();
    ctx.say('');
  } catch (e) {
    if (e.status !== 401) ctx.say(e.message);
  } finally {
    button.disabled = false;
  }
}

// ---------- forms ----------

let fieldSeq = 0;

/** A labelled control with its hint and its error line, tied together with aria-describedby. */
function field(label, control, hint, required) {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const described = [hint ? hintId : null, errorId].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  if (required) control.setAttribute('aria-required', 'true');
  return h('div', { class: 'field' },
    h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errorId, hidden: true }));
}

function setError(control, message) {
  const line = document.getElementById(`${control.id}-error`);
  if (line) { line.textContent = message || ''; line.hidden = !message; }
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

function formError(form, message) {
  let box = form.querySelector('.form-error');
  if (!box) { box = h('p', { class: 'form-error', role: 'alert' }); form.prepend(box); }
  box.textContent = message || '';
  box.hidden = !message;
}

function limitValue(raw, control) {
  const text = raw.trim();
  if (text === '') return null;
  if (!/^\d+$/.test(text)) { setError(control, `Must be a whole number of 0 or more, or empty for no limit (got '${text}').`); return undefined; }
  setError(control, '');
  return Number(text);
}

// ---------- login ----------

function login(reason) {
  const shown = main.querySelector('form.login');
  if (shown) { // several requests of one view were refused: one sign-in form, the latest reason
    const said = shown.querySelector('.reason');
    if (said && reason) said.textContent = `The server said: ${reason}`;
    return;
  }
  if (current) { current.dispose(); current = null; }
  sessionStorage.removeItem(KEY);
  renderSession();
  document.title = 'Sign in · Ferry';
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false', required: true });
  const form = h('form', { class: 'card login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title', tabindex: '-1' }, 'Sign in'),
    h('p', null, 'This Ferry server needs an API key. It is kept in this browser tab only, until you close it.'),
    h('p', { class: 'muted reason', role: 'status' }, reason ? `The server said: ${reason}` : ''),
    field('API key', input, 'Made with ferry api-key create, or the server\'s admin key.', true),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) { setError(input, 'Enter an API key.'); input.focus(); return; }
    sessionStorage.setItem(KEY, key);
    renderSession();
    route();
  });
  main.replaceChildren(form);
  input.focus();
}

function renderSession() {
  const box = document.getElementById('session');
  if (!sessionStorage.getItem(KEY)) { box.replaceChildren(); return; }
  box.replaceChildren(h('span', { class: 'muted' }, 'Signed in with an API key '),
    h('button', { type: 'button', class: 'link', onclick: () => { sessionStorage.removeItem(KEY); renderSession(); route(); } }, 'Sign out'));
}

// ---------- work pools ----------

function poolsView(ctx) {
  heading(ctx, 'Work pools');
  const list = h('div');
  const editor = h('div');
  const name = h('input', { name: 'name', required: true, autocomplete: 'off', spellcheck: 'false' });
  const type = h('select', { name: 'type' }, h('option', { value: 'process' }, 'process'), h('option', { value: 'ecs' }, 'ecs'));
  const limit = h('input', { name: 'concurrency_limit', inputmode: 'numeric', autocomplete: 'off' });
  const create = h('form', { class: 'card inline-form', id: 'create-pool', 'aria-labelledby': 'create-pool-title' },
    h('h2', { id: 'create-pool-title' }, 'Create a work pool'),
    h('div', { class: 'row' },
      field('Name', name, null, true),
      field('Type', type),
      field('Concurrency limit', limit, 'Empty for no limit.'),
      h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create'))));
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError(create, '');
    [name, limit].forEach((c) => setError(c, ''));
    if (!name.value.trim()) { setError(name, 'A work pool needs a name.'); name.focus(); return; }
    const l = limitValue(limit.value, limit);
    if (l === undefined) { limit.focus(); return; }
    const body = { name: name.value.trim(), type: type.value };
    if (l !== null) body.concurrency_limit = l;
    try {
      await api('POST', '/work_pools', body);
      create.reset();
      poller.now();
      ctx.say(`Created work pool '${body.name}'.`, 'ok');
    } catch (err) {
      const control = { name, concurrency_limit: limit, type }[err.field];
      if (control) { setError(control, err.message); control.focus(); } else if (err.status !== 401) formError(create, err.message);
    }
  });
  ctx.root.append(list, editor, create);

  const editLimit = (pool) => {
    const input = h('input', { name: 'limit', inputmode: 'numeric', value: pool.concurrency_limit ?? '', autocomplete: 'off' });
    const form = h('form', { class: 'card inline-form', 'aria-labelledby': 'limit-title' },
      h('h2', { id: 'limit-title' }, `Concurrency limit of '${pool.name}'`),
      h('div', { class: 'row' },
        field('Concurrency limit', input, 'Empty for no limit.'),
        h('div', { class: 'field actions' },
          h('button', { type: 'submit', class: 'primary' }, 'Save'),
          h('button', { type: 'button', onclick: () => editor.replaceChildren() }, 'Cancel'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const l = limitValue(input.value, input);
      if (l === undefined) { input.focus(); return; }
      try {
        await api('PATCH', `/work_pools/${enc(pool.name)}`, { concurrency_limit: l });
        editor.replaceChildren();
        poller.now();
      } catch (err) {
        if (err.status !== 401) setError(input, err.message);
      }
    });
    editor.replaceChildren(form);
    input.focus();
  };

  const poller = ctx.poll(async () => {
    const data = await listAll('/work_pools');
    update(list, data.items, (pools) => table('Work pools', ['Name', 'Type', 'ID', 'Concurrency Limit', 'Status', 'Paused', 'Actions'],
      pools.map((p) => h('tr', { 'data-pool': p.name },
        h('td', null, link(`#/pools/${enc(p.name)}`, p.name)),
        h('td', null, p.type),
        h('td', { class: 'mono' }, p.id),
        h('td', null, p.concurrency_limit ?? 'None'),
        h('td', null, statusIcon(p.status, POOL_MEANING)),
        h('td', null, p.is_paused ? 'yes' : 'no'),
        h('td', { class: 'actions' },
          h('button', {
            type: 'button', 'data-focus': `pause-${p.name}`, 'aria-label': `${p.is_paused ? 'Resume' : 'Pause'} ${p.name}`,
            onclick: (e) => act(ctx, e.currentTarget, async () => { await api('PATCH', `/work_pools/${enc(p.name)}`, { is_paused: !p.is_paused }); poller.now(); }),
          }, p.is_paused ? 'Resume' : 'Pause'),
          h('button', { type: 'button', 'data-focus': `limit-${p.name}`, 'aria-label': `Edit the concurrency limit of ${p.name}`, onclick: () => editLimit(p) }, 'Edit limit')))),
      'No work pools yet. Create one below, or with ferry work-pool create.'));
  });
}

function poolView(ctx, name, tab) {
  tab = tab || 'queues';
  heading(ctx, name);
  const summary = h('div');
  const tabs = [['queues', 'Work Queues'], ['workers', 'Workers'], ['deployments', 'Deployments'], ['runs', 'Runs']];
  const body = h('section', { class: 'tab-panel', 'aria-labelledby': `tab-${tab}` });
  ctx.root.append(summary,
    h('nav', { class: 'tabs', 'aria-label': 'Work pool sections' },
      tabs.map(([k, label]) => h('a', { href: `#/pools/${enc(name)}/${k}`, id: `tab-${k}`, 'aria-current': k === tab ? 'page' : null }, label))),
    body);

  const poller = ctx.poll(async () => {
    const pool = await api('GET', `/work_pools/${enc(name)}`);
    update(summary, pool, (p) => [
      h('div', { class: 'toolbar' }, statusIcon(p.status, POOL_MEANING),
        h('button', {
          type: 'button', 'data-focus': 'pause',
          onclick: (e) => act(ctx, e.currentTarget, async () => { await api('PATCH', `/work_pools/${enc(name)}`, { is_paused: !p.is_paused }); poller.now(); }),
        }, p.is_paused ? 'Resume pool' : 'Pause pool')),
      dl([['Type', p.type], ['ID', h('span', { class: 'mono' }, p.id)], ['Concurrency limit', String(p.concurrency_limit ?? 'None')],
        ['Paused', p.is_paused ? 'yes' : 'no'], ['Default queue', p.default_queue_name], p.description ? ['Description', p.description] : null]),
    ]);
    if (tab === 'queues') {
      const queues = await listAll(`/work_pools/${enc(name)}/queues`);
      update(body, queues.items, (items) => table('Work queues', ['Name', 'Priority', 'Concurrency Limit', 'Status', 'Last polled'],
        items.map((q) => h('tr', { 'data-queue': q.name },
          h('td', null, q.name), h('td', null, q.priority), h('td', null, q.concurrency_limit ?? 'None'),
          h('td', null, statusIcon(q.status, QUEUE_MEANING)), h('td', null, when(q.last_polled)))),
        'This pool has no queues.'));
    } else if (tab === 'workers') {
      const workers = await listAll(`/work_pools/${enc(name)}/workers`);
      update(body, workers.items, (items) => table('Workers', ['Name', 'Last polled', 'Status'],
        items.map((w) => h('tr', { 'data-worker': w.name },
          h('td', null, w.name), h('td', null, when(w.last_heartbeat_time)), h('td', null, statusIcon(w.status, WORKER_MEANING)))),
        `No worker has polled this pool yet. Start one with: ferry worker start --pool ${name}`));
    } else if (tab === 'deployments') {
      const deployments = await api('GET', `/deployments${query({ work_pool_name: name, limit: 200 })}`);
      update(body, deployments.items, (items) => deploymentsTable(items, 'No deployment uses this pool yet.'));
    } else {
      const runs = await api('GET', `/flow_runs${query({ work_pool_name: name, limit: 25 })}`);
      let upcoming = [];
      try {
        upcoming = (await api('GET', `/work_pools/${enc(name)}/upcoming_runs?hours=24&limit=20`)).items || [];
      } catch (e) {
        if (e.status !== 404) throw e; // a server without schedules: nothing to show
      }
      update(body, { runs: runs.items, upcoming }, (x) => [
        x.upcoming.length ? [h('h2', null, 'Coming up in the next 24 hours'), table('Upcoming runs', ['Starts', 'Deployment', 'Schedule'],
          x.upcoming.map((u) => h('tr', { 'data-upcoming': u.scheduled_start_time },
            h('td', null, u.flow_run_id ? link(`#/runs/${enc(u.flow_run_id)}`, relative(u.scheduled_start_time)) : when(u.scheduled_start_time),
              u.late ? [' ', h('span', { class: 'state state-scheduled' }, 'Late')] : null),
            h('td', null, u.deployment_id ? link(`#/deployments/${enc(u.deployment_id)}`, u.deployment || u.deployment_id) : (u.deployment || '—')),
            h('td', null, u.schedule || '—'))), ''), h('h2', null, 'Recent runs')] : null,
        runsTable(x.runs, 'No runs in this pool yet.'),
      ]);
    }
  });
}

// ---------- deployments ----------

function deploymentsTable(items, empty) {
  return table('Deployments', ['Deployment', 'Work pool', 'Queue', 'Status', 'Updated'],
    items.map((d) => h('tr', { 'data-deployment': `${d.flow_name}/${d.name}` },
      h('td', null, link(`#/deployments/${enc(d.id)}`, `${d.flow_name}/${d.name}`)),
      h('td', null, link(`#/pools/${enc(d.work_pool_name)}`, d.work_pool_name)),
      h('td', null, d.work_queue_name || 'default'),
      h('td', null, d.paused ? h('span', { class: 'tag tag-paused' }, 'Paused') : h('span', { class: 'tag' }, 'Active')),
      h('td', null, when(d.updated)))),
    empty);
}

function deploymentsView(ctx) {
  heading(ctx, 'Deployments');
  const list = h('div');
  ctx.root.append(list);
  ctx.poll(async () => {
    const data = await api('GET', '/deployments?limit=200');
    update(list, data.items, (items) => deploymentsTable(items, 'No deployments yet. Make one with ferry deploy path/to/flow.py:function -n NAME -p POOL.'));
  });
}

function intervalText(seconds) {
  for (const [n, unit] of [[86400, 'day'], [3600, 'hour'], [60, 'minute']]) {
    if (seconds >= n && seconds % n === 0) { const k = seconds / n; return `${k} ${unit}${k === 1 ? '' : 's'}`; }
  }
  return `${seconds} seconds`;
}

function scheduleText(s) {
  if (s.cron) return `cron ${s.cron}${s.timezone ? ` (${s.timezone})` : ''}`;
  if (s.interval != null) return `every ${intervalText(s.interval)}${s.timezone ? ` (${s.timezone})` : ''}`;
  if (s.rrule) return `RRULE ${s.rrule}${s.timezone ? ` (${s.timezone})` : ''}`;
  return JSON.stringify(s);
}

function typeName(kind) {
  const t = kind.type === 'enum' ? kind.values.map(describeValue).join(' | ') : kind.type;
  return kind.nullable ? `${t} | null` : t;
}

/** The parameters as the schema declares them, with the default each run gets. */
function parameterTable(d) {
  const root = d.parameter_openapi_schema || {};
  const props = root.properties && typeof root.properties === 'object' ? root.properties : {};
  const names = Object.keys(props);
  if (!names.length) return pre(d.parameters || {});
  const required = new Set(Array.isArray(root.required) ? root.required : []);
  const defaults = d.parameters || {};
  return table('Parameters', ['Name', 'Type', 'Default'], names.map((n) => {
    const kind = kindOf(props[n], root);
    const has = Object.prototype.hasOwnProperty.call(defaults, n);
    const value = has ? defaults[n] : kind.schema.default;
    return h('tr', null, h('td', null, h('code', null, n)), h('td', null, typeName(kind)),
      h('td', null, value !== undefined ? h('code', null, JSON.stringify(value)) : (required.has(n) ? h('span', { class: 'req-text' }, 'required') : '—')));
  }), '');
}

async function quickRun(ctx, button, deployment) {
  await act(ctx, button, async () => {
    const run = await api('POST', `/deployments/${enc(deployment.id)}/create_flow_run`, {});
    location.hash = `#/runs/${enc(run.id)}`;
  });
}

function deploymentView(ctx, id) {
  const h1 = heading(ctx, 'Deployment');
  const actions = h('div', { class: 'toolbar' });
  const facts = h('div');
  const schedules = h('section', { 'aria-labelledby': 'schedules-title', hidden: true });
  const triggers = h('section', { 'aria-labelledby': 'triggers-title', hidden: true });
  const runs = h('div');
  ctx.root.append(actions, facts, schedules, triggers,
    h('section', { 'aria-labelledby': 'runs-title' }, h('h2', { id: 'runs-title' }, 'Runs'), runs));

  let upcomingMissing = false;
  let automationsHidden = false; // a server without automations, or a key that may not read them
  const poller = ctx.poll(async () => {
    const d = await api('GET', `/deployments/${enc(id)}`);
    const title = `${d.flow_name}/${d.name}`;
    if (h1.textContent !== title) { h1.textContent = title; document.title = `${title} · Ferry`; }
    update(actions, { paused: d.paused, note: d.pause_note, resume: d.resume_at }, () => [
      d.paused ? h('span', { class: 'tag tag-paused', title: d.pause_note || 'paused' }, 'Paused') : h('span', { class: 'tag' }, 'Active'),
      d.paused && (d.pause_note || d.resume_at) ? h('span', { class: 'muted' }, d.pause_note || '',
        d.resume_at ? [d.pause_note ? '; resumes ' : 'Resumes ', when(d.resume_at)] : null) : null,
      h('button', { type: 'button', class: 'primary', 'data-focus': 'quick', onclick: (e) => quickRun(ctx, e.currentTarget, d) }, 'Quick run'),
      h('a', { class: 'button', href: `#/deployments/${enc(id)}/run`, 'data-focus': 'custom' }, 'Custom run'),
      h('button', {
        type: 'button', 'data-focus': 'pause',
        // The pause routes, not PATCH: the server records who paused (paused_by) and a resume catches up missed firings.
        onclick: (e) => act(ctx, e.currentTarget, async () => { await api('POST', `/deployments/${enc(id)}/${d.paused ? 'resume' : 'pause'}`); poller.now(); }),
      }, d.paused ? 'Resume' : 'Pause'),
    ]);
    update(facts, d, (x) => [
      dl([['ID', h('span', { class: 'mono' }, x.id)], ['Entrypoint', h('code', null, x.entrypoint)],
        ['Work pool', link(`#/pools/${enc(x.work_pool_name)}`, x.work_pool_name)], ['Work queue', x.work_queue_name || 'default'],
        ['Concurrency limit', x.concurrency_limit == null ? 'None' : `${x.concurrency_limit} (${x.collision_strategy || 'ENQUEUE'})`],
        x.version ? ['Version', x.version] : null, x.tags && x.tags.length ? ['Tags', x.tags.join(', ')] : null,
        x.description ? ['Description', x.description] : null, ['Updated', when(x.updated)]]),
      h('div', { class: 'cols' },
        h('section', null, h('h2', null, 'Parameters'), parameterTable(x)),
        h('section', null, h('h2', null, 'Job variables'), pre(x.job_variables || {}))),
    ]);
    let upcoming = null;
    if (!upcomingMissing) {
      try {
        upcoming = (await api('GET', `/deployments/${enc(id)}/upcoming_runs?limit=5`)).items;
      } catch (e) {
        if (e.status === 404) upcomingMissing = true; else if (e.status !== 401) throw e;
      }
    }
    const list = Array.isArray(d.schedules) ? d.schedules : [];
    schedules.hidden = !list.length && !(upcoming && upcoming.length);
    update(schedules, { list, upcoming }, () => [
      h('h2', { id: 'schedules-title' }, 'Schedules'),
      list.length ? table('Schedules', ['Schedule', 'When', 'Active'], list.map((s) => h('tr', { 'data-schedule': s.slug },
        h('td', null, s.slug || '—'), h('td', null, scheduleText(s)), h('td', null, s.active === false ? 'no' : 'yes'))), '') : null,
      upcoming && upcoming.length ? [h('h3', null, 'Upcoming runs'), table('Upcoming runs', ['Starts', 'At', 'Schedule', 'Parameters'],
        upcoming.map((u) => h('tr', { 'data-upcoming': u.scheduled_start_time },
          h('td', null, u.flow_run_id ? link(`#/runs/${enc(u.flow_run_id)}`, relative(u.scheduled_start_time)) : when(u.scheduled_start_time)),
          h('td', null, new Date(u.scheduled_start_time).toLocaleString()), h('td', null, u.schedule || '—'),
          h('td', { class: 'mono' }, JSON.stringify(u.parameters || {})))), '')] : null,
    ]);
    if (!automationsHidden) {
      let all = null;
      try {
        all = (await api('GET', '/automations?limit=200')).items;
      } catch (e) {
        if (e.status === 404 || e.status === 403) automationsHidden = true; else throw e;
      }
      const mine = (all || []).map((a) => ({ a, how: concerns(a, d) })).filter((x) => x.how.length);
      triggers.hidden = automationsHidden;
      update(triggers, mine, () => [
        h('h2', { id: 'triggers-title' }, 'Triggers'),
        table('Automations that act on or watch this deployment', ['Automation', 'How', 'Trigger', 'Enabled'], mine.map(({ a, how }) => h('tr', { 'data-automation': a.name },
          h('td', null, link(`#/automations/${enc(a.id)}`, a.name)), h('td', null, how.join('; ')),
          h('td', null, triggerText(a.trigger)), h('td', null, enabledTag(a)))),
        'No automation acts on or watches this deployment.'),
      ]);
    }
    const r = await api('GET', `/flow_runs${query({ deployment_id: id, limit: 25 })}`);
    update(runs, r.items, (items) => runsTable(items, 'No runs yet. Quick run starts one with the default parameters.'));
  });
}

// ---------- the custom run form, generated from the parameter schema ----------
// kindOf and readParam are the UI's half of the one rule for parameter values (core's
// ParameterTypes is the CLI's and the server's); both run the same table of cases in the tests.
// A whole number for a number parameter goes out as 2 (JavaScript has one number type); the
// server sends it on to the flow as 2.0.

function resolve(schema, root) {
  let s = schema;
  for (let i = 0; s && s.$ref && i < 10; i++) {
    const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(s.$ref);
    s = m && root[m[1]] ? { ...root[m[1]][m[2]], ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== '$ref')) } : {};
  }
  if (s && Array.isArray(s.allOf) && s.allOf.length === 1) s = { ...resolve(s.allOf[0], root), ...s, allOf: undefined };
  return s || {};
}

/** What kind of control a parameter gets: {type, nullable, values?, schema}. */
function kindOf(raw, root) {
  let s = resolve(raw, root);
  let nullable = false;
  const options = s.anyOf || s.oneOf;
  if (Array.isArray(options)) {
    const resolved = options.map((o) => resolve(o, root));
    const others = resolved.filter((o) => o.type !== 'null');
    nullable = others.length < resolved.length;
    if (others.length !== 1) return { type: 'json', nullable, schema: s };
    s = { ...others[0], title: s.title ?? others[0].title, description: s.description ?? others[0].description, default: s.default };
  }
  if (Array.isArray(s.enum)) return { type: 'enum', values: s.enum, nullable, schema: s };
  if (s.const !== undefined) return { type: 'enum', values: [s.const], nullable, schema: s };
  let type = s.type;
  if (Array.isArray(type)) {
    nullable = nullable || type.includes('null');
    const rest = type.filter((t) => t !== 'null');
    type = rest.length === 1 ? rest[0] : 'json';
  }
  if (type === 'null' || (Array.isArray(s.type) && s.type.length && s.type.every((t) => t === 'null'))) return { type: 'null', nullable: true, schema: s };
  if (!['string', 'integer', 'number', 'boolean', 'object', 'array'].includes(type)) type = 'json';
  return { type, nullable, schema: s };
}

function describeValue(v) {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Reads one parameter's control: {value} to send, {omit: true}, or {error} to show by the field. */
function readParam(p) {
  const { kind, control, required, label } = p;
  const raw = control.value;
  const s = kind.schema;
  if (raw.trim() === '' && kind.type !== 'string') {
    return required ? { error: `${label} is required.` } : { omit: true };
  }
  if (raw === '' && kind.type === 'string') return required ? { error: `${label} is required.` } : { omit: true };
  if (kind.nullable && kind.type !== 'string' && raw.trim() === 'null') return { value: null };
  if (kind.type === 'null') return { error: `Must be null (got '${raw.trim()}').` };
  switch (kind.type) {
    case 'enum': {
      const v = kind.values[Number(raw)];
      return v === undefined ? { error: `Choose one of: ${kind.values.map(describeValue).join(', ')}.` } : { value: v };
    }
    case 'boolean':
      return { value: raw === 'true' };
    case 'integer':
    case 'number': {
      const text = raw.trim();
      const ok = kind.type === 'integer' ? /^[-+]?\d+$/.test(text) : /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text);
      if (!ok) return { error: kind.type === 'integer' ? `Must be a whole number, like 3 (got '${text}').` : `Must be a number, like 2.5 (got '${text}').` };
      const v = Number(text);
      if (s.minimum != null && v < s.minimum) return { error: `Must be ${s.minimum} or more (got ${text}).` };
      if (s.maximum != null && v > s.maximum) return { error: `Must be ${s.maximum} or less (got ${text}).` };
      if (s.exclusiveMinimum != null && typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) return { error: `Must be more than ${s.exclusiveMinimum} (got ${text}).` };
      if (s.exclusiveMaximum != null && typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum) return { error: `Must be less than ${s.exclusiveMaximum} (got ${text}).` };
      return { value: v };
    }
    case 'string': {
      if (s.minLength != null && raw.length < s.minLength) return { error: `Must be at least ${s.minLength} characters long.` };
      if (s.maxLength != null && raw.length > s.maxLength) return { error: `Must be at most ${s.maxLength} characters long.` };
      if (s.pattern) { try { if (!new RegExp(s.pattern, 'u').test(raw)) return { error: `Must match the pattern ${s.pattern}.` }; } catch (e) { /* the server checks it */ } }
      if (s.format === 'date-time' && Number.isNaN(Date.parse(raw))) return { error: `Must be a date and time, like 2026-01-31T12:00:00Z (got '${raw}').` };
      return { value: raw };
    }
    default: {
      let v;
      // A parameter of any type takes JSON, or else the text itself (as --param does).
      try { v = JSON.parse(raw); } catch (e) { if (kind.type === 'json') return { value: raw }; return { error: `Must be valid JSON: ${e.message}.` }; }
      if (kind.type === 'object' && (v === null || typeof v !== 'object' || Array.isArray(v))) return { error: 'Must be a JSON object, like {"key": "value"}.' };
      if (kind.type === 'array' && !Array.isArray(v)) return { error: 'Must be a JSON array, like [1, 2, 3].' };
      return { value: v };
    }
  }
}

function paramControl(name, kind, initial, required, id) {
  const has = initial !== undefined;
  if (kind.type === 'enum') {
    const select = h('select', { id, 'data-param': name },
      required && has ? null : h('option', { value: '' }, required ? 'Choose…' : '(the deployment\'s default)'),
      kind.values.map((v, i) => h('option', { value: String(i), selected: has && JSON.stringify(v) === JSON.stringify(initial) }, describeValue(v))));
    return select;
  }
  if (kind.type === 'boolean') {
    return h('select', { id, 'data-param': name },
      required && has ? null : h('option', { value: '' }, required ? 'Choose…' : '(the deployment\'s default)'),
      h('option', { value: 'true', selected: initial === true }, 'true'),
      h('option', { value: 'false', selected: initial === false }, 'false'));
  }
  if (kind.type === 'integer' || kind.type === 'number') {
    return h('input', { id, 'data-param': name, inputmode: kind.type === 'integer' ? 'numeric' : 'decimal', autocomplete: 'off', value: has && initial !== null ? String(initial) : (initial === null ? 'null' : '') });
  }
  if (kind.type === 'string') {
    return h('input', { id, 'data-param': name, autocomplete: 'off', spellcheck: 'false', value: has && initial !== null ? String(initial) : '' });
  }
  const area = h('textarea', { id, 'data-param': name, rows: 3, spellcheck: 'false', class: 'mono' });
  area.value = has ? JSON.stringify(initial, null, 2) : '';
  return area;
}

function typeHint(kind) {
  const n = kind.nullable ? '; null allowed' : '';
  switch (kind.type) {
    case 'integer': return `Whole number${n}.`;
    case 'number': return `Number${n}.`;
    case 'boolean': return null;
    case 'enum': return null;
    case 'string': return kind.schema.format === 'date-time' ? 'Date and time, ISO 8601.' : null;
    case 'object': return `JSON object${n}.`;
    case 'array': return `JSON array${n}.`;
    case 'null': return 'null only.';
    default: return `JSON value${n}.`;
  }
}

function customRunView(ctx, id) {
  const h1 = heading(ctx, 'Custom run');
  const holder = h('div');
  ctx.root.append(holder);
  api('GET', `/deployments/${enc(id)}`).then((d) => {
    if (ctx.disposed) return;
    h1.textContent = `Custom run of ${d.flow_name}/${d.name}`;
    document.title = `${h1.textContent} · Ferry`;
    holder.replaceChildren(customRunForm(ctx, d));
  }).catch((e) => { if (e.status !== 401) ctx.say(e.message); });
}

function customRunForm(ctx, d) {
  const root = d.parameter_openapi_schema || {};
  const properties = root.properties && typeof root.properties === 'object' ? root.properties : null;
  const required = new Set(Array.isArray(root.required) ? root.required : []);
  const defaults = d.parameters || {};
  const params = [];
  const fields = [];
  let whole = null; // a schema without properties: one JSON object for all parameters
  if (properties && Object.keys(properties).length) {
    const names = Object.keys(properties).sort((a, b) => (properties[a].position ?? 0) - (properties[b].position ?? 0));
    names.forEach((name, i) => {
      const kind = kindOf(properties[name], root);
      const initial = Object.prototype.hasOwnProperty.call(defaults, name) ? defaults[name] : kind.schema.default;
      const isRequired = required.has(name);
      const id = /^[A-Za-z0-9_-]+$/.test(name) ? `param-${name}` : `param-${i}`;
      const control = paramControl(name, kind, initial, isRequired, id);
      const label = kind.schema.title || properties[name].title || name;
      const hint = [kind.schema.description, typeHint(kind), label !== name ? `Parameter ${name}.` : null].filter(Boolean).join(' ');
      params.push({ name, kind, control, required: isRequired, label });
      fields.push(field(label, control, hint || null, isRequired));
    });
  } else {
    whole = h('textarea', { id: 'param-json', rows: 5, class: 'mono', spellcheck: 'false' });
    whole.value = JSON.stringify(defaults, null, 2);
    fields.push(field('Parameters', whole, 'A JSON object; the deployment has no parameter schema.'));
  }
  const name = h('input', { id: 'run-name', autocomplete: 'off', spellcheck: 'false' });
  const start = h('input', { id: 'run-start', type: 'datetime-local', step: 1 });
  const jobVars = h('textarea', { id: 'run-job-variables', rows: 3, class: 'mono', spellcheck: 'false', placeholder: '{"env": {"KEY": "value"}}' });
  const form = h('form', { class: 'card run-form', novalidate: true, 'aria-labelledby': 'params-title' },
    h('h2', { id: 'params-title' }, 'Parameters'),
    fields,
    h('h2', null, 'Run'),
    field('Run name', name, 'Empty for a generated name.'),
    field('Start time', start, 'Your local time; empty to start now.'),
    field('Job variable overrides', jobVars, `A JSON object over the deployment's job variables ${JSON.stringify(d.job_variables || {})}; empty for none.`),
    h('div', { class: 'toolbar' },
      h('button', { type: 'submit', class: 'primary' }, 'Start run'),
      h('a', { class: 'button', href: `#/deployments/${enc(d.id)}` }, 'Cancel')));

  const check = (p) => {
    const r = readParam(p);
    setError(p.control, r.error || '');
    return r;
  };
  for (const p of params) {
    p.control.addEventListener('change', () => check(p));
    p.control.addEventListener('input', () => setError(p.control, ''));
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError(form, '');
    const body = {};
    const bad = [];
    if (whole) {
      let v = null;
      try { v = whole.value.trim() ? JSON.parse(whole.value) : {}; } catch (err) { v = undefined; }
      if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v)) { setError(whole, 'Must be a JSON object, like {"name": "Marvin"}.'); bad.push(whole); } else { setError(whole, ''); body.parameters = v; }
    } else {
      body.parameters = {};
      for (const p of params) {
        const r = check(p);
        if (r.error) bad.push(p.control); else if (!r.omit) body.parameters[p.name] = r.value;
      }
    }
    setError(jobVars, '');
    if (jobVars.value.trim()) {
      let v;
      try { v = JSON.parse(jobVars.value); } catch (err) { v = undefined; }
      if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v)) { setError(jobVars, 'Must be a JSON object, like {"env": {"KEY": "value"}}.'); bad.push(jobVars); } else body.job_variables = v;
    }
    setError(start, '');
    if (start.value) {
      const t = new Date(start.value);
      if (Number.isNaN(t.getTime())) { setError(start, 'Must be a date and time.'); bad.push(start); } else body.scheduled_start_time = t.toISOString();
    }
    if (name.value.trim()) body.name = name.value.trim();
    if (bad.length) {
      formError(form, bad.length === 1 ? 'One field needs fixing; nothing was sent.' : `${bad.length} fields need fixing; nothing was sent.`);
      bad[0].focus();
      return;
    }
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      const run = await api('POST', `/deployments/${enc(d.id)}/create_flow_run`, body);
      location.hash = `#/runs/${enc(run.id)}`;
    } catch (err) {
      if (err.status === 401) return;
      const f = err.field || '';
      let control = null;
      if (f === 'parameters' || f.startsWith('parameters.') || f.startsWith('parameters[')) {
        const param = f.slice('parameters'.length).replace(/^\./, '').split(/[.[]/)[0];
        control = whole || (params.find((p) => p.name === param) || {}).control || null;
      } else if (f === 'job_variables' || f.startsWith('job_variables')) control = jobVars;
      else if (f === 'scheduled_start_time') control = start;
      else if (f === 'name') control = name;
      if (control) {
        setError(control, err.message);
        formError(form, 'The server refused the run; see the field marked below.');
        control.focus();
      } else formError(form, err.message);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

// ---------- flow runs ----------

function runsTable(items, empty) {
  return table('Flow runs', ['Run', 'Deployment', 'Work pool', 'State', 'Scheduled', 'Duration'],
    items.map((r) => h('tr', { 'data-run': r.id },
      h('td', null, link(`#/runs/${enc(r.id)}`, r.name || r.id)),
      h('td', null, r.deployment_id ? link(`#/deployments/${enc(r.deployment_id)}`, `${r.flow_name}/${r.deployment_name || ''}`) : r.flow_name),
      h('td', null, r.work_pool_name ? link(`#/pools/${enc(r.work_pool_name)}`, r.work_pool_name) : '—'),
      h('td', null, stateBadge(r.state)),
      h('td', null, when(r.scheduled_start_time, '—')),
      h('td', null, duration(r.start_time, r.end_time)))),
    empty);
}

/** How far before `since` a run may have been created and still be expected in the window (the activity API's look-back). */
const LOOKBACK_MS = 86400000;

function runsView(ctx, q) {
  heading(ctx, 'Flow runs');
  const filters = { state: q.get('state') || '', deployment: q.get('deployment') || '', pool: q.get('pool') || '' };
  // from the dashboard: runs expected to start in [since, until), or only late ones; read from the list, newest first
  const scope = { since: q.get('since') || '', until: q.get('until') || '', late: q.get('late') === '1' ? '1' : '' };
  const scoped = !!(scope.since || scope.until || scope.late);
  const several = filters.state && !STATE_TYPES.includes(filters.state) ? filters.state : null;
  const state = h('select', { name: 'state' }, h('option', { value: '' }, 'Any state'),
    STATE_TYPES.map((s) => h('option', { value: s, selected: s === filters.state }, s)),
    several ? h('option', { value: several, selected: true }, several.split(',').join(' or ')) : null);
  const deployment = h('select', { name: 'deployment' }, h('option', { value: '' }, 'Any deployment'));
  const pool = h('select', { name: 'pool' }, h('option', { value: '' }, 'Any work pool'));
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter flow runs' },
    field('State', state), field('Deployment', deployment), field('Work pool', pool));
  const list = h('div');
  const scopeLine = scoped ? h('p', { class: 'toolbar', 'data-scope': '' },
    scope.late ? h('span', { class: 'tag' }, 'Late only') : null,
    scope.since || scope.until ? h('span', null, 'Expected to start ', scope.since ? ['from ', h('time', { datetime: scope.since, title: exact(scope.since) }, new Date(scope.since).toLocaleString())] : null,
      scope.until ? [' until ', h('time', { datetime: scope.until, title: exact(scope.until) }, new Date(scope.until).toLocaleString())] : null) : null,
    h('a', { href: '#/runs', 'data-clear': '', onclick: (e) => { e.preventDefault(); location.hash = `#/runs${query(filters)}`; } }, 'Show all times')) : null;
  ctx.root.append(form, scopeLine, list);

  const inScope = (r) => {
    if (scope.late && !(r.state && r.state.name === 'Late')) return false;
    const t = Date.parse(r.scheduled_start_time || r.created);
    return (!scope.since || t >= Date.parse(scope.since)) && (!scope.until || t < Date.parse(scope.until));
  };
  const scopedRuns = async (params) => {
    const found = [];
    let next = null; let more = false;
    for (let page = 0; page < 10; page++) {
      const data = await api('GET', `/flow_runs${query({ ...params, limit: 200, next })}`);
      found.push(...data.items.filter(inScope));
      next = data.next;
      const last = data.items[data.items.length - 1];
      if (!next || (scope.since && last && Date.parse(last.created) < Date.parse(scope.since) - LOOKBACK_MS)) { next = null; break; }
      more = page === 9;
    }
    return { items: found, more };
  };

  const fill = (select, items, value, label, key, current) => {
    const known = new Set(items.map(key));
    if (current && !known.has(current)) items = [...items, null];
    const opts = items.map((x) => (x ? h('option', { value: key(x), selected: key(x) === current }, label(x)) : h('option', { value: current, selected: true }, current)));
    select.replaceChildren(h('option', { value: '' }, value), ...opts);
  };
  Promise.all([api('GET', '/deployments?limit=200'), listAll('/work_pools')]).then(([ds, ps]) => {
    if (ctx.disposed) return;
    fill(deployment, ds.items, 'Any deployment', (d) => `${d.flow_name}/${d.name}`, (d) => d.id, filters.deployment);
    fill(pool, ps.items, 'Any work pool', (p) => p.name, (p) => p.name, filters.pool);
  }).catch(() => {});

  const poller = ctx.poll(async () => {
    const params = { state_type: filters.state, deployment_id: filters.deployment, work_pool_name: filters.pool };
    if (scoped) {
      const data = await scopedRuns(params);
      update(list, data, (x) => [runsTable(x.items, 'No flow runs match.'),
        x.more ? h('p', { class: 'muted' }, 'Only the newest 2,000 runs were looked at.') : null]);
      return;
    }
    const data = await api('GET', `/flow_runs${query({ ...params, limit: 50 })}`);
    update(list, data.items, (items) => runsTable(items, 'No flow runs match.'));
  }, scoped ? 5000 : undefined);
  form.addEventListener('change', () => {
    filters.state = state.value; filters.deployment = deployment.value; filters.pool = pool.value;
    history.replaceState(null, '', `#/runs${query({ ...filters, ...scope })}`);
    poller.now();
  });
}

function runView(ctx, id) {
  const h1 = heading(ctx, 'Flow run');
  const head = h('div', { class: 'toolbar', 'aria-live': 'polite' }); // a run's state change is worth announcing
  const facts = h('div');
  const timeline = h('div');
  const follow = h('input', { type: 'checkbox', id: 'follow', checked: true });
  const logs = h('div', { class: 'logs', id: 'logs', role: 'log', 'aria-live': 'off', tabindex: '0', 'aria-label': 'Run logs' });
  ctx.root.append(head, facts,
    h('section', { 'aria-labelledby': 'timeline-title' }, h('h2', { id: 'timeline-title' }, 'State timeline'), timeline),
    h('section', { 'aria-labelledby': 'logs-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'logs-title' }, 'Logs'),
        h('label', { class: 'check' }, follow, ' Follow')),
      logs));

  let terminal = false;
  let after = 0;
  let drained = false;
  const poller = ctx.poll(async () => {
    const r = await api('GET', `/flow_runs/${enc(id)}`);
    terminal = TERMINAL.includes(r.state.type);
    const title = r.name || r.id;
    if (h1.textContent !== title) { h1.textContent = title; document.title = `${title} · Ferry`; }
    update(head, { state: r.state, terminal }, () => [
      stateBadge(r.state),
      terminal
        ? h('button', { type: 'button', 'data-focus': 'retry', onclick: (e) => act(ctx, e.currentTarget, async () => { await api('POST', `/flow_runs/${enc(id)}/retry`); drained = false; poller.now(); }) }, 'Retry')
        : h('button', { type: 'button', class: 'danger', 'data-focus': 'cancel', disabled: r.state.type === 'CANCELLING', onclick: (e) => act(ctx, e.currentTarget, async () => { await api('POST', `/flow_runs/${enc(id)}/cancel`); poller.now(); }) }, r.state.type === 'CANCELLING' ? 'Cancelling…' : 'Cancel'),
    ]);
    update(facts, { ...r, last_heartbeat: undefined, updated: undefined, version: undefined }, () => [
      dl([['ID', h('span', { class: 'mono' }, r.id)],
        ['Deployment', r.deployment_id ? link(`#/deployments/${enc(r.deployment_id)}`, `${r.flow_name}/${r.deployment_name || ''}`) : r.flow_name],
        ['Work pool', r.work_pool_name ? link(`#/pools/${enc(r.work_pool_name)}`, r.work_pool_name) : '—'], ['Work queue', r.work_queue_name],
        ['Worker', r.worker_name], ['Infrastructure id', r.infrastructure_id ? h('span', { class: 'mono', 'data-field': 'infrastructure_id' }, r.infrastructure_id) : null],
        ['Scheduled', when(r.scheduled_start_time, '—')], ['Started', when(r.start_time, '—')], ['Ended', when(r.end_time, '—')],
        ['Duration', duration(r.start_time, r.end_time)], ['Run count', String(r.run_count ?? 0)],
        r.tags && r.tags.length ? ['Tags', r.tags.join(', ')] : null]),
      h('div', { class: 'cols' },
        h('section', null, h('h2', null, 'Parameters'), pre(r.parameters || {})),
        h('section', null, h('h2', null, 'Job variables'), pre(r.job_variables || {}))),
    ]);
    const history = Array.isArray(r.state_history) && r.state_history.length ? r.state_history : [r.state];
    update(timeline, history, (states) => h('ol', { class: 'timeline' }, states.map((s) => h('li', { 'data-state': s.type },
      stateBadge(s), ' ', when(s.timestamp, ''), s.message ? h('p', { class: 'message' }, s.message) : null))));
  });

  const tail = ctx.poll(async () => {
    if (drained) return;
    const wasTerminal = terminal;
    for (let page = 0; page < 20; page++) {
      const data = await api('GET', `/flow_runs/${enc(id)}/logs${query({ after, limit: 1000 })}`);
      if (data.items.length) {
        if (logs.querySelector('.empty')) logs.replaceChildren();
        logs.append(...data.items.map((l) => h('div', { class: `line stream-${l.stream}` },
          h('time', { datetime: l.timestamp, title: exact(l.timestamp) }, new Date(l.timestamp).toLocaleTimeString()), ' ', l.message)));
        after = data.items[data.items.length - 1].seq;
        if (follow.checked) logs.scrollTop = logs.scrollHeight;
      }
      if (!data.next) break;
    }
    if (!logs.childElementCount) logs.replaceChildren(h('p', { class: 'empty' }, 'No logs yet.'));
    // Once the run is over and one more read found nothing new, the logs are complete.
    if (wasTerminal) drained = true;
  }, 1000);
  ctx.onDispose(() => tail.stop());
}

// ---------- events ----------

const RESOURCE_PAGES = { 'ferry.flow-run.': 'runs', 'ferry.deployment.': 'deployments', 'ferry.automation.': 'automations', 'ferry.webhook.': 'webhooks' };

/** A resource by its name (else its id), linked to its page when the UI has one; the id on hover. */
function resourceLabel(labels, role) {
  const id = labels['ferry.resource.id'] || '';
  const name = labels['ferry.resource.name'] || id || '—';
  let href = null;
  for (const [prefix, page] of Object.entries(RESOURCE_PAGES)) {
    if (id.startsWith(prefix) && id.length > prefix.length) href = `#/${page}/${enc(id.slice(prefix.length))}`;
  }
  if (!href && id.startsWith('ferry.work-pool.') && labels['ferry.resource.name']) href = `#/pools/${enc(name)}`;
  const text = role ? [h('span', { class: 'chip-role' }, role), ' ', name] : name;
  return href ? h('a', { href, title: id }, text) : h('span', { title: id }, text);
}

function eventItem(e) {
  const related = e.related || [];
  return h('li', { 'data-event': e.id, 'data-name': e.event },
    h('div', { class: 'event-head' },
      when(e.occurred),
      h('code', { class: 'event-name' }, e.event),
      h('span', null, resourceLabel(e.resource || {})),
      related.length ? h('ul', { class: 'chips', 'aria-label': 'Related resources' },
        related.map((r) => h('li', { class: 'chip' }, resourceLabel(r, r['ferry.resource.role'])))) : null),
    h('details', null, h('summary', null, 'Payload and labels'),
      h('div', { class: 'cols' },
        h('div', null, h('p', { class: 'sub' }, 'Payload'), pre(e.payload || {})),
        h('div', null, h('p', { class: 'sub' }, 'Labels'), pre({ resource: e.resource, related }))),
      h('p', { class: 'sub' }, 'ID ', h('span', { class: 'mono' }, e.id), '; received ', when(e.received, '—'))));
}

function patterns(text) {
  return text.split(/[\s,]+/).filter(Boolean);
}

function eventsView(ctx, q) {
  heading(ctx, 'Events');
  const names = ['event', 'resource', 'related'];
  const inputs = Object.fromEntries(names.map((n) => [n, h('input', { name: n, value: q.get(n) || '', autocomplete: 'off', spellcheck: 'false' })]));
  inputs.event.placeholder = 'ferry.flow-run.*';
  inputs.resource.placeholder = 'ferry.flow-run.ID';
  inputs.related.placeholder = 'ferry.deployment.*';
  const live = h('input', { type: 'checkbox', id: 'live', checked: q.get('live') === '1' });
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter events' },
    field('Event', inputs.event), field('Resource', inputs.resource), field('Related', inputs.related),
    h('div', { class: 'field actions' }, h('button', { type: 'submit' }, 'Filter'),
      h('label', { class: 'check', title: 'Show new events as they arrive' }, live, ' Live')),
    h('p', { class: 'hint', id: 'patterns-hint' }, 'Patterns: a trailing * matches any suffix, a leading ! excludes; several, separated by spaces, are alternatives.'));
  for (const n of names) inputs[n].setAttribute('aria-describedby', `${inputs[n].getAttribute('aria-describedby')} patterns-hint`);
  const list = h('ol', { class: 'events', 'aria-label': 'Events, newest first', hidden: true });
  const empty = h('p', { class: 'empty', hidden: true }, 'No events match.');
  const more = h('div', { class: 'toolbar' });
  ctx.root.append(form, list, empty, more);

  const KEEP = 500;
  const shown = new Map(); // event id -> its <li>, kept so an opened row stays open
  let gen = 0; // bumped when the filters change: answers to older requests are dropped
  let loaded = false;
  let older = null; // the newest-first list's next page
  let newest = null; // the newest event seen: {at, iso}
  let since = null; // where the live tail started
  let cursor = null; // the live tail's next

  const filters = () => Object.fromEntries(names.map((n) => [n, patterns(inputs[n].value)]));
  const add = (items, atTop) => {
    const fresh = items.filter((e) => !shown.has(e.id));
    for (const e of fresh) {
      shown.set(e.id, eventItem(e));
      const at = Date.parse(e.occurred);
      if (!newest || at > newest.at) newest = { at, iso: e.occurred };
    }
    const els = fresh.map((e) => shown.get(e.id));
    if (atTop) list.prepend(...els.reverse()); else list.append(...els);
    while (list.childElementCount > KEEP) { shown.delete(list.lastElementChild.dataset.event); list.lastElementChild.remove(); }
    list.hidden = !shown.size;
    empty.hidden = !!shown.size;
  };
  const drawMore = () => {
    more.replaceChildren(...(older ? [h('button', { type: 'button', 'data-focus': 'older', onclick: (e) => act(ctx, e.currentTarget, async () => {
      const g = gen;
      const data = await api('GET', `/events${query({ ...filters(), next: older, limit: 50 })}`);
      if (g !== gen) return;
      add(data.items, false);
      older = data.next;
      drawMore();
    }) }, 'Older events')] : []));
  };

  const poller = ctx.poll(async () => {
    const g = gen;
    if (!loaded) {
      const data = await api('GET', `/events${query({ ...filters(), limit: 50 })}`);
      if (g !== gen) return;
      shown.clear();
      list.replaceChildren();
      newest = null;
      add(data.items, false);
      older = data.next;
      drawMore();
      loaded = true;
    }
    if (!live.checked) return;
    // Oldest first from the newest event seen: that list always has a next, which tails what arrives.
    if (!since) since = newest ? newest.iso : new Date(Date.now() - 60000).toISOString();
    for (let page = 0; page < 10; page++) {
      const data = await api('GET', `/events${query({ ...filters(), order: 'asc', since, next: cursor, limit: 100, wait: 0 })}`);
      if (g !== gen) return;
      add(data.items, true);
      cursor = data.next;
      if (data.items.length < 100) break;
    }
  });
  const remember = () => history.replaceState(null, '', `#/events${query({ ...Object.fromEntries(names.map((n) => [n, inputs[n].value.trim()])), live: live.checked ? '1' : '' })}`);
  const refilter = () => {
    gen++; loaded = false; since = null; cursor = null;
    remember();
    poller.now();
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); refilter(); });
  for (const n of names) inputs[n].addEventListener('change', refilter);
  live.addEventListener('change', () => { since = null; cursor = null; remember(); poller.now(); });
}

// ---------- automations ----------

function secondsText(s) {
  return s >= 60 && s % 60 === 0 ? intervalText(s) : `${s} s`;
}

function asList(v) {
  return v == null ? [] : [].concat(v);
}

/** A trigger in a line: "ferry.flow-run.Completed ×1", "Proactive: fewer than 1 ... within 10 s", "compound: all of 2". */
function triggerText(t) {
  if (!t || typeof t !== 'object') return '—';
  const within = t.within ? ` within ${secondsText(t.within)}` : '';
  const n = asList(t.triggers).length;
  if (t.type === 'compound') return `compound: ${t.require ?? 'all'} of ${n}${within}`;
  if (t.type === 'sequence') return `sequence of ${n}${within}`;
  const expect = asList(t.expect).join(' | ') || 'any event';
  const after = asList(t.after).length ? `after ${asList(t.after).join(' | ')}, ` : '';
  const each = asList(t.for_each).length ? `, for each ${asList(t.for_each).join(', ')}` : '';
  if (t.posture === 'Proactive') return `Proactive: ${after}fewer than ${t.threshold ?? 1} ${expect}${within}${each}`;
  return `${after}${expect} ×${t.threshold ?? 1}${within}${each}`;
}

/** The trigger a history line names by its path: "t" the whole trigger, "t.1" its second one. */
function triggerAt(t, path) {
  for (const step of String(path || '').split('.').slice(1)) t = t && Array.isArray(t.triggers) ? t.triggers[Number(step)] : null;
  return t;
}

/** A trigger path as the API's field names spell it: "t.1" is trigger.triggers[1]. */
function pathText(path) {
  return h('code', { title: path }, String(path || '').replace(/^t(?=\.|$)/, 'trigger').replace(/\.(\d+)/g, '.triggers[$1]'));
}

function countText(count, threshold) {
  if (count == null) return '—';
  return threshold == null ? String(count) : `${count}/${threshold}`;
}

function enabledTag(a) {
  if (a.enabled) return h('span', { class: 'tag' }, 'Enabled');
  // paused by its circuit breaker: the reason says how often it fired, and resuming it closes the breaker
  return a.paused_reason ? h('span', { class: 'tag tag-paused', title: a.paused_reason }, 'Paused by its circuit breaker')
    : h('span', { class: 'tag tag-paused' }, 'Paused');
}

function pauseAutomation(ctx, a, poller, focus) {
  return h('button', {
    type: 'button', 'data-focus': focus, 'aria-label': `${a.enabled ? 'Pause' : 'Resume'} ${a.name}`,
    onclick: (e) => act(ctx, e.currentTarget, async () => { await api('PATCH', `/automations/${enc(a.id)}`, { enabled: !a.enabled }); poller.now(); }),
  }, a.enabled ? 'Pause' : 'Resume');
}

const OUTCOME_KIND = { fired: 'ok', action_ok: 'ok', window_met: 'ok', action_failed: 'failed', circuit_broken: 'failed', near_miss: 'miss' };

function outcomeTag(outcome) {
  return h('span', { class: `tag outcome-${OUTCOME_KIND[outcome] || 'plain'}` }, String(outcome).replace(/_/g, ' '));
}

function automationsView(ctx) {
  heading(ctx, 'Automations');
  const rows = h('div');
  ctx.root.append(rows);
  const poller = ctx.poll(async () => {
    const [data, fired] = await Promise.all([api('GET', '/automations?limit=200'),
      // One call for every row's last firing, rather than one history per automation.
      api('GET', `/events${query({ event: 'ferry.automation.triggered', limit: 200 })}`).catch((e) => { if (e.status === 401) throw e; return null; })]);
    const last = {};
    for (const e of fired ? fired.items : []) {
      const id = (e.resource || {})['ferry.resource.id'];
      if (id && !last[id]) last[id] = e.occurred;
    }
    update(rows, { items: data.items, last, known: !!fired }, (x) => table('Automations', ['Name', 'Enabled', 'Trigger', 'Actions', 'Last fired'],
      x.items.map((a) => h('tr', { 'data-automation': a.name },
        h('td', null, link(`#/automations/${enc(a.id)}`, a.name)),
        h('td', { class: 'actions' }, enabledTag(a), ' ', pauseAutomation(ctx, a, poller, `pause-${a.id}`)),
        h('td', null, triggerText(a.trigger)),
        h('td', null, asList(a.actions).map((x) => x.type).join(', ')),
        h('td', null, x.last[`ferry.automation.${a.id}`] ? when(x.last[`ferry.automation.${a.id}`])
          : h('span', { class: 'muted', title: 'No firing among the 200 latest recorded (events are kept 7 days); its page lists its firings.' }, x.known ? 'not recently' : '—')))),
      'No automations yet. Create one with ferry automation create -f FILE.yaml, or with triggers in a deployment\'s ferry.yaml.'));
  });
}

function automationView(ctx, id) {
  const h1 = heading(ctx, 'Automation');
  const head = h('div', { class: 'toolbar' });
  const facts = h('div');
  const windows = h('div');
  const firings = h('div');
  const evaluations = h('div');
  const section = (key, title, body, hint) => h('section', { 'aria-labelledby': `${key}-title` },
    h('h2', { id: `${key}-title` }, title), hint ? h('p', { class: 'hint' }, hint) : null, body);
  ctx.root.append(head, facts, section('windows', 'Open windows', windows),
    section('firings', 'Firings', firings),
    section('evaluations', 'Evaluations', evaluations, 'Newest first. A near miss is an expected event that did not count; its detail names the label that differed.'));

  let automation = null;
  let confirming = false;
  const drawHead = () => update(head, { enabled: automation.enabled, reason: automation.paused_reason, confirming }, () => [
    enabledTag(automation), pauseAutomation(ctx, automation, poller, 'pause'),
    confirming ? [h('span', { class: 'confirm' }, `Delete ${automation.name} and its history?`),
      h('button', { type: 'button', class: 'danger', 'data-focus': 'delete-yes', onclick: (e) => act(ctx, e.currentTarget, async () => {
        await api('DELETE', `/automations/${enc(id)}`);
        location.hash = '#/automations';
      }) }, 'Delete'),
      h('button', { type: 'button', 'data-focus': 'delete-no', onclick: () => { confirming = false; drawHead(); head.querySelector('[data-focus=delete]').focus(); } }, 'Keep it')]
      : h('button', { type: 'button', class: 'danger', 'data-focus': 'delete', onclick: () => { confirming = true; drawHead(); head.querySelector('[data-focus=delete-no]').focus(); } }, 'Delete…'),
  ]);

  const poller = ctx.poll(async () => {
    const x = await api('GET', `/automations/${enc(id)}/history`);
    const a = x.automation;
    automation = a;
    if (h1.textContent !== a.name) { h1.textContent = a.name; document.title = `${a.name} · Ferry`; }
    drawHead();
    update(facts, a, () => [
      dl([['ID', h('span', { class: 'mono' }, a.id)], ['Trigger', triggerText(a.trigger)],
        ['Actions', asList(a.actions).map((x) => x.type).join(', ')],
        a.description ? ['Description', a.description] : null,
        a.deployment_id ? ['Defined by', link(`#/deployments/${enc(a.deployment_id)}`, 'its deployment\'s ferry.yaml')] : null,
        ['Created', when(a.created)], ['Updated', when(a.updated)]]),
      h('div', { class: 'cols' },
        h('section', null, h('h2', null, 'Trigger'), pre(a.trigger)),
        h('section', null, h('h2', null, 'Actions'), pre(a.actions))),
    ]);
    update(windows, { w: x.windows, t: a.trigger }, () => table('Open windows', ['Trigger', 'For each', 'Count', 'Opened', 'Closes'],
      x.windows.map((w) => {
        const t = triggerAt(a.trigger, w.trigger);
        return h('tr', { 'data-window': w.trigger },
          h('td', null, pathText(w.trigger)), h('td', { class: 'mono' }, w.key || '—'),
          h('td', null, countText(w.count, t && (t.type || 'event') === 'event' ? (t.threshold ?? 1) : null)),
          h('td', null, when(w.start, '—')), h('td', null, when(w.end, '—')));
      }), 'No window is open.'));
    update(firings, x.firings, (items) => table('Firings', ['When', 'Trigger', 'Count', 'Actions'],
      items.map((f) => h('tr', { 'data-firing': f.key },
        h('td', null, when(f.at)),
        h('td', null, pathText(f.trigger), f.bucket_key ? [' ', h('span', { class: 'mono muted' }, f.bucket_key)] : null),
        h('td', null, countText(f.count, f.threshold)),
        h('td', null, h('ul', { class: 'outcomes' }, asList(f.actions).map((o, i) => h('li', { 'data-action': i, 'data-status': o.status },
          h('code', null, o.type), ' ', h('span', { class: `tag outcome-${o.status === 'ok' ? 'ok' : o.status === 'failed' ? 'failed' : 'plain'}` }, o.status),
          o.flow_run_id ? [' ', link(`#/runs/${enc(o.flow_run_id)}`, 'the run it made')] : null,
          o.detail ? h('p', { class: 'detail' }, o.detail) : null)))))),
      'It has not fired yet.'));
    update(evaluations, x.evaluations.slice(0, 200), (items) => table('Evaluations, newest first', ['Time', 'Event', 'Trigger', 'Outcome', 'Count', 'Detail'],
      items.map((e) => h('tr', { class: e.outcome === 'near_miss' ? 'near-miss' : null, 'data-outcome': e.outcome },
        h('td', null, when(e.at)), h('td', null, e.event ? h('code', null, e.event) : '—'), h('td', null, pathText(e.trigger)),
        h('td', null, outcomeTag(e.outcome)), h('td', null, countText(e.count, e.threshold)),
        h('td', { class: 'detail' }, e.detail || '—'))),
      'No event has been evaluated yet.'));
  });
}

/** How an automation concerns a deployment: its actions name it, or its trigger watches it (match or match_related). */
function concerns(a, d) {
  const name = `${d.flow_name}/${d.name}`;
  const ids = [`ferry.deployment.${d.id}`, name];
  const acts = asList(a.actions).filter((x) => x.deployment_id === d.id || x.deployment_name === name).map((x) => x.type);
  const names = (labels) => !!labels && Object.values(labels).some((v) => asList(v).some((p) => ids.includes(p)));
  const watches = (t) => !!t && (Array.isArray(t.triggers) ? t.triggers.some(watches) : names(t.match) || asList(t.match_related).some(names));
  return [watches(a.trigger) ? 'watches it' : null, acts.length ? `${[...new Set(acts)].join(', ')} on it` : null,
    a.deployment_id === d.id ? 'defined in its ferry.yaml' : null].filter(Boolean);
}

// ---------- webhooks ----------

const VERIFY_TEXT = { none: 'none', github: 'GitHub', stripe: 'Stripe', standard: 'Standard Webhooks', hmac: 'HMAC', 'api-key': 'API key' };
const VERIFY_HOW = {
  none: 'Anyone who has the URL can send to it.',
  github: 'X-Hub-Signature-256: the body signed with HMAC-SHA256; the delivery id is X-GitHub-Delivery.',
  stripe: 'Stripe-Signature: t=…,v1=…, the timestamp and body signed with HMAC-SHA256, at most 300 s old.',
  standard: 'Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature (at most 5 minutes old).',
  'api-key': 'Authorization: Bearer KEY, a Ferry API key that may emit events (DEPLOYER or ADMIN).',
};
const DELIVERY_KIND = { accepted: 'ok', duplicate: 'plain', refused: 'failed', invalid: 'failed', too_large: 'miss', rate_limited: 'miss' };
const GITHUB_TEMPLATE = `{
  "event": "github.{{ headers['x-github-event'] }}",
  "resource": {
    "ferry.resource.id": "github.repo.{{ body.repository.full_name }}",
    "ferry.resource.name": "{{ body.repository.full_name }}"
  },
  "payload": {"ref": "{{ body.ref }}", "sender": "{{ body.sender.login }}"}
}`;

function hookUrl(path) {
  return `${location.origin}${path}`;
}

function deliveryTag(outcome) {
  return h('span', { class: `tag outcome-${DELIVERY_KIND[outcome] || 'plain'}` }, String(outcome).replace(/_/g, ' '));
}

/** A value to paste elsewhere, with a Copy button; where the clipboard is refused, the text is selected for Ctrl+C. */
function copyable(ctx, text, what, focus) {
  const value = h('code', { class: 'mono' }, text);
  return h('span', { class: 'copyable' }, value, h('button', {
    type: 'button', class: 'small', 'data-focus': focus, 'aria-label': `Copy ${what}`,
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text);
        ctx.say(`Copied ${what}.`, 'ok');
      } catch (e) {
        getSelection().selectAllChildren(value);
        ctx.say(`The browser refused the clipboard: ${what} is selected, press Ctrl+C (⌘C) to copy it.`, 'ok');
      }
    },
  }, 'Copy'));
}

function enableWebhook(ctx, w, poller, focus) {
  return h('button', {
    type: 'button', 'data-focus': focus, 'aria-label': `${w.enabled ? 'Disable' : 'Enable'} ${w.name}`,
    onclick: (e) => act(ctx, e.currentTarget, async () => { await api('PATCH', `/webhooks/${enc(w.id)}`, { enabled: !w.enabled }); poller.now(); }),
  }, w.enabled ? 'Disable' : 'Enable');
}

function webhookEnabledTag(w) {
  return w.enabled ? h('span', { class: 'tag' }, 'Enabled')
    : h('span', { class: 'tag tag-paused', title: 'Its address answers 404 until it is enabled' }, 'Disabled');
}

function verifyFacts(v) {
  const how = v.kind === 'hmac'
    ? `${v.header}: ${v.prefix || ''}<${v.encoding || 'hex'} HMAC-${(v.algorithm || 'sha256').toUpperCase()} of the ${v.signed === 'timestamp.body' ? `${v.timestamp_header} value, a dot and the body, at most ${v.window_seconds ?? 300} s old` : 'body'}>`
      + (v.delivery_id_header ? `; the delivery id is ${v.delivery_id_header}` : '')
    : VERIFY_HOW[v.kind] || v.kind;
  return [['Verification', VERIFY_TEXT[v.kind] || v.kind], ['How a request proves itself', how]];
}

function webhooksView(ctx) {
  heading(ctx, 'Webhooks');
  const list = h('div');
  const created = h('div');
  const name = h('input', { name: 'name', required: true, autocomplete: 'off', spellcheck: 'false' });
  const kind = h('select', { name: 'kind' }, ['none', 'github', 'stripe', 'standard', 'api-key'].map((k) => h('option', { value: k }, VERIFY_TEXT[k])));
  const template = h('textarea', { name: 'template', class: 'mono', rows: 9, spellcheck: 'false', placeholder: GITHUB_TEMPLATE });
  const form = h('form', { class: 'card inline-form', id: 'create-webhook', 'aria-labelledby': 'create-webhook-title' },
    h('h2', { id: 'create-webhook-title' }, 'Create a webhook'),
    h('div', { class: 'row' },
      field('Name', name, null, true),
      field('Verification', kind, 'Signed kinds get a secret, shown once. A generic HMAC (its own header and algorithm) is made through the API.')),
    field('Template (JSON)', template, 'Makes the event from the request: {{ headers[\'x-github-event\'] }}, {{ body.… }}, {{ query.… }}. Empty: each request is a CloudEvent.'),
    h('div', { class: 'toolbar' },
      h('button', { type: 'submit', class: 'primary' }, 'Create'),
      h('button', { type: 'button', onclick: () => { template.value = GITHUB_TEMPLATE; template.focus(); } }, 'Use the GitHub example')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    formError(form, '');
    [name, kind, template].forEach((c) => setError(c, ''));
    if (!name.value.trim()) { setError(name, 'A webhook needs a name.'); name.focus(); return; }
    const body = { name: name.value.trim(), verify: { kind: kind.value } };
    if (template.value.trim()) {
      try { body.template = JSON.parse(template.value); } catch (err) { setError(template, `Not JSON: ${err.message}.`); template.focus(); return; }
      if (!body.template || typeof body.template !== 'object' || Array.isArray(body.template)) {
        setError(template, 'The template is a JSON object: {"event": …, "resource": {…}}.'); template.focus(); return;
      }
    }
    try {
      const w = await api('POST', '/webhooks', body);
      form.reset();
      poller.now();
      // The secret lives in this card only: never in the page's state, gone once the page is left.
      created.replaceChildren(h('section', { class: 'card once', 'aria-labelledby': 'created-title', 'data-created': w.id },
        h('h2', { id: 'created-title', tabindex: '-1' }, `Created webhook '${w.name}'`),
        dl([['URL', copyable(ctx, hookUrl(w.path), 'the URL', 'copy-new-url')],
          w.secret ? ['Secret', copyable(ctx, w.secret, 'the secret', 'copy-secret')] : null]),
        w.secret ? h('p', { class: 'warn' }, 'The secret is shown only now: Ferry never shows it again. Put it in the sender\'s settings (GitHub: the webhook\'s Secret); a rotation makes a new one.') : null,
        h('div', { class: 'toolbar' }, link(`#/webhooks/${enc(w.id)}`, 'Its page'),
          h('button', { type: 'button', onclick: () => { created.replaceChildren(); name.focus(); } }, 'Done'))));
      created.querySelector('h2').focus();
    } catch (err) {
      const f = String(err.field || '');
      const control = f === 'name' ? name : f.startsWith('template') ? template : f.startsWith('verify') ? kind : null;
      if (control) { setError(control, err.message); control.focus(); } else if (err.status !== 401) formError(form, err.message);
    }
  });
  ctx.onDispose(() => created.replaceChildren());
  ctx.root.append(list, created, form);

  const poller = ctx.poll(async () => {
    const quiet = (p) => p.catch((e) => { if (e.status === 401) throw e; return null; });
    // Two calls for every row's last delivery: the events webhooks made, and their refusals.
    const [data, made, refused] = await Promise.all([api('GET', '/webhooks?limit=200'),
      quiet(api('GET', `/events${query({ related: 'ferry.webhook.*', limit: 200 })}`)),
      quiet(api('GET', `/events${query({ event: 'ferry.webhook.refused', limit: 200 })}`))]);
    const last = {};
    const note = (id, at, outcome) => { if (id && (!last[id] || Date.parse(at) > Date.parse(last[id].at))) last[id] = { at, outcome }; };
    for (const e of made ? made.items : []) {
      const r = (e.related || []).find((x) => x['ferry.resource.role'] === 'webhook');
      if (r) note(r['ferry.resource.id'], e.occurred, 'accepted');
    }
    for (const e of refused ? refused.items : []) note((e.resource || {})['ferry.resource.id'], e.occurred, 'refused');
    update(list, { items: data.items, last, known: !!(made && refused), origin: location.origin }, (x) => table('Webhooks', ['Name', 'Verification', 'Enabled', 'URL', 'Last delivery'],
      x.items.map((w) => {
        const l = x.last[`ferry.webhook.${w.id}`];
        return h('tr', { 'data-webhook': w.name },
          h('td', null, link(`#/webhooks/${enc(w.id)}`, w.name)),
          h('td', null, VERIFY_TEXT[w.verify.kind] || w.verify.kind),
          h('td', { class: 'actions' }, webhookEnabledTag(w), ' ', enableWebhook(ctx, w, poller, `enable-${w.id}`)),
          h('td', null, copyable(ctx, hookUrl(w.path), `the URL of ${w.name}`, `copy-${w.id}`)),
          h('td', null, l ? [deliveryTag(l.outcome), ' ', when(l.at)]
            : h('span', { class: 'muted', title: 'None among the latest events. Invalid, too large and rate-limited requests make no event: its page lists every delivery.' }, x.known ? 'not recently' : '—')));
      }),
      'No webhooks yet. Create one below: its URL turns each request into an event that automations can act on.'));
  });
}

function webhookView(ctx, id) {
  const h1 = heading(ctx, 'Webhook');
  const head = h('div', { class: 'toolbar' });
  const facts = h('div');
  const retired = h('section', { 'aria-labelledby': 'retired-title', hidden: true });
  const deliveries = h('div');
  ctx.root.append(head, facts, retired, h('section', { 'aria-labelledby': 'deliveries-title' },
    h('h2', { id: 'deliveries-title' }, 'Deliveries'),
    h('p', { class: 'hint' }, 'Newest first: about the last 100 of the past 7 days. Refused and invalid ones stand out.'), deliveries));

  let hook = null;
  let confirming = false;
  const drawHead = () => update(head, { enabled: hook.enabled, confirming }, () => [
    webhookEnabledTag(hook), enableWebhook(ctx, hook, poller, 'enable'),
    confirming ? [h('span', { class: 'confirm' }, `Delete ${hook.name}? Its address stops answering at once.`),
      h('button', { type: 'button', class: 'danger', 'data-focus': 'delete-yes', onclick: (e) => act(ctx, e.currentTarget, async () => {
        await api('DELETE', `/webhooks/${enc(id)}`);
        location.hash = '#/webhooks';
      }) }, 'Delete'),
      h('button', { type: 'button', 'data-focus': 'delete-no', onclick: () => { confirming = false; drawHead(); head.querySelector('[data-focus=delete]').focus(); } }, 'Keep it')]
      : h('button', { type: 'button', class: 'danger', 'data-focus': 'delete', onclick: () => { confirming = true; drawHead(); head.querySelector('[data-focus=delete-no]').focus(); } }, 'Delete…'),
  ]);

  const poller = ctx.poll(async () => {
    const [w, d] = await Promise.all([api('GET', `/webhooks/${enc(id)}`), api('GET', `/webhooks/${enc(id)}/deliveries`)]);
    hook = w;
    if (h1.textContent !== w.name) { h1.textContent = w.name; document.title = `${w.name} · Ferry`; }
    drawHead();
    update(facts, { w, origin: location.origin }, () => [
      dl([['URL', copyable(ctx, hookUrl(w.path), 'the URL', 'copy-url')], ...verifyFacts(w.verify || { kind: 'none' }),
        ['ID', h('span', { class: 'mono' }, w.id)], ['Events', link(`#/events${query({ related: `ferry.webhook.${w.id}` })}`, 'the events it made')],
        ['Created', when(w.created)], ['Updated', when(w.updated)]]),
      h('section', null, h('h2', null, 'Template'), w.template ? pre(w.template)
        : h('p', { class: 'empty' }, 'None: each request is read as a CloudEvent (its body, or its ce- headers).')),
    ]);
    retired.hidden = !(w.retired || []).length;
    update(retired, { r: w.retired || [], origin: location.origin }, (x) => [
      h('h2', { id: 'retired-title' }, 'Retired addresses'),
      h('p', { class: 'hint' }, 'A rotation keeps the old address and secret working until then.'),
      table('Retired addresses', ['URL', 'Works until'], x.r.map((r) => h('tr', { 'data-retired': r.path },
        h('td', { class: 'mono' }, hookUrl(r.path)), h('td', null, when(r.until)))), ''),
    ]);
    update(deliveries, d.items, (items) => table('Deliveries, newest first', ['Time', 'Status', 'Outcome', 'Detail', 'Event'],
      items.map((x) => h('tr', { class: DELIVERY_KIND[x.outcome] === 'failed' ? 'delivery-bad' : null, 'data-outcome': x.outcome },
        h('td', null, when(x.at)), h('td', null, String(x.status)),
        h('td', null, deliveryTag(x.outcome), x.slug ? [' ', h('span', { class: 'tag', title: 'Sent to an address a rotation replaced' }, 'old address')] : null),
        h('td', { class: 'detail' }, x.detail || '—', x.delivery_id ? h('p', { class: 'sub' }, 'Delivery ', h('span', { class: 'mono' }, x.delivery_id)) : null),
        h('td', null, x.event_id ? h('a', { href: `#/events${query({ related: `ferry.webhook.${id}` })}`, title: `Event ${x.event_id}` }, 'its event')
          : x.outcome === 'refused' ? link(`#/events${query({ event: 'ferry.webhook.refused', resource: `ferry.webhook.${id}` })}`, 'the refusal') : '—'))),
      'No request has come yet. Send one to its URL.'));
  });
}

// ---------- routing ----------

function route() {
  const hash = location.hash || '#/dashboard';
  if (!hash.startsWith('#/')) return; // an in-page anchor, such as the skip link
  if (current) current.dispose();
  const [path, qs] = hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch (e) { return p; } });
  const q = new URLSearchParams(qs || '');
  const root = h('div', { class: 'view' });
  main.replaceChildren(root);
  const ctx = context(root);
  current = ctx;
  const section = parts[0] || 'dashboard';
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  if (section === 'dashboard') dashboardView(ctx, q, UI);
  else if (section === 'pools' && parts[1]) poolView(ctx, parts[1], parts[2]);
  else if (section === 'pools') poolsView(ctx);
  else if (section === 'deployments' && parts[1] && parts[2] === 'run') customRunView(ctx, parts[1]);
  else if (section === 'deployments' && parts[1]) deploymentView(ctx, parts[1]);
  else if (section === 'deployments') deploymentsView(ctx);
  else if (section === 'runs' && parts[1]) runView(ctx, parts[1]);
  else if (section === 'runs') runsView(ctx, q);
  else if (section === 'events') eventsView(ctx, q);
  else if (section === 'automations' && parts[1]) automationView(ctx, parts[1]);
  else if (section === 'automations') automationsView(ctx);
  else if (section === 'webhooks' && parts[1]) webhookView(ctx, parts[1]);
  else if (section === 'webhooks') webhooksView(ctx);
  else { heading(ctx, 'Not found'); root.append(h('p', null, 'No page here. ', link('#/dashboard', 'Dashboard'))); }
  if (routed) { const h1 = root.querySelector('h1'); if (h1) h1.focus(); }
  routed = true;
}

/** What the page modules (dashboard.js) share of this one: handed to them, so they import nothing back. */
const UI = { h, api, update, table, link, when, relative, stateBadge, statusIcon, query, enc, heading, POOL_MEANING };

let routed = false;
document.getElementById('skip').addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
window.addEventListener('hashchange', route);
renderSession();
route();
fetch('/api/health', { cache: 'no-store' }).then((r) => r.json()).then((v) => {
  document.getElementById('version').textContent = `Ferry ${v.version || ''}`;
}).catch(() => {});

// For the tests, which run the parameter table through the page's own module.
export { kindOf, readParam };
