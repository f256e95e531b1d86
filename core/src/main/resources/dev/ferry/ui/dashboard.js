// The dashboard, Ferry's landing page: flow-run activity charted by state, late runs, runs failing
// now, work-pool health and the next hour's runs. Each number links to the list behind it.
// A page module of its own: app.js hands it the helpers it shares (`ui`), so it imports nothing.

const SVG = 'http://www.w3.org/2000/svg';
const WINDOWS = {
  '1h': { label: '1 hour', span: 3600, bucket: 300 },
  '24h': { label: '24 hours', span: 86400, bucket: 3600 },
  '7d': { label: '7 days', span: 7 * 86400, bucket: 6 * 3600 },
};
// bottom to top: what went well, what is under way, what waits, what went wrong (on top, where the eye lands)
const STACK = ['COMPLETED', 'RUNNING', 'PENDING', 'CANCELLING', 'SCHEDULED', 'CANCELLED', 'CRASHED', 'FAILED'];
const HOLDS_SLOT = ['PENDING', 'RUNNING', 'CANCELLING'];
const REFRESH_MS = 5000;
// The chart's bars span 5 min to 6 h, and on DynamoDB one refresh reads up to 5,000 runs (50
// BatchGetItem): a tab left open refreshes it twice a minute, not twelve times.
const ACTIVITY_REFRESH_MS = 30000;
const LIST_LIMIT = 200;

function svg(tag, attrs, ...kids) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) el.setAttribute(k, String(v));
  for (const kid of kids.flat(Infinity)) if (kid != null) el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  return el;
}

/** Where the window starts and ends: whole buckets, the last one holding now. */
function windowNow(preset) {
  const w = WINDOWS[preset];
  const bucketMs = w.bucket * 1000;
  const end = Math.ceil((Date.now() + 1) / bucketMs) * bucketMs;
  return { since: new Date(end - w.span * 1000).toISOString(), until: new Date(end).toISOString(), bucket: w.bucket };
}

function clock(iso, withDay) {
  const d = new Date(iso);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return withDay ? `${d.toLocaleDateString([], { weekday: 'short', day: 'numeric' })} ${time}` : time;
}

function percent(rate) {
  if (rate == null) return '—';
  const p = rate * 100;
  return `${p === 0 || p >= 10 ? Math.round(p) : p.toFixed(1)} %`;
}

export function dashboardView(ctx, q, ui) {
  const { h, api, update, table, link, when, stateBadge, statusIcon, query, enc } = ui;
  const preset = WINDOWS[q.get('window')] ? q.get('window') : '24h';
  const scope = { pool: q.get('pool') || '', deployment: q.get('deployment') || '' };
  const runsLink = (params) => `#/runs${query({ ...scope, ...params })}`;

  ui.heading(ctx, 'Dashboard', h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time window' },
    Object.entries(WINDOWS).map(([key, w]) => h('a', {
      class: 'button', href: `#/dashboard${query({ window: key, ...scope })}`, 'aria-current': key === preset ? 'true' : null, 'data-window': key,
    }, w.label))));
  if (scope.pool || scope.deployment) {
    ctx.root.append(h('p', { class: 'muted' }, 'Only runs of ', scope.pool ? `work pool ${scope.pool}` : `deployment ${scope.deployment}`,
      '. ', link(`#/dashboard${query({ window: preset })}`, 'All runs')));
  }
  const activity = h('section', { class: 'card dash-activity', 'aria-labelledby': 'activity-title' });
  const late = h('section', { class: 'card', 'data-card': 'late', 'aria-labelledby': 'late-title' });
  const failing = h('section', { class: 'card', 'data-card': 'failing', 'aria-labelledby': 'failing-title' });
  const pools = h('section', { class: 'card', 'data-card': 'pools', 'aria-labelledby': 'pools-title' });
  const upcoming = h('section', { class: 'card', 'data-card': 'upcoming', 'aria-labelledby': 'upcoming-title' });
  ctx.root.append(activity, h('div', { class: 'dash-grid' }, failing, late), pools, upcoming);

  const head = (id, title, href, more) => h('div', { class: 'section-head' }, h('h2', { id }, title), href ? link(href, more) : null);

  // ---------- activity: counts, failure rate, the chart ----------

  const chart = (a, width) => {
    const height = 200; const left = 34; const bottom = 22; const top = 6;
    const n = a.buckets.length;
    const max = Math.max(1, ...a.buckets.map((b) => b.total));
    const step = (width - left) / n;
    const barW = Math.max(1, step - Math.min(6, step * 0.2));
    const y = (v) => top + (height - top - bottom) * (1 - v / max);
    const withDay = a.bucket_seconds >= 6 * 3600;
    const grid = [0, Math.round(max / 2), max].filter((v, i, all) => all.indexOf(v) === i).map((v) => [
      svg('line', { class: 'grid', x1: left, x2: width, y1: y(v), y2: y(v) }),
      svg('text', { class: 'axis', x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, v)]);
    const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(width / 90))));
    const labels = a.buckets.map((b, i) => (i % every ? null
      : svg('text', { class: 'axis', x: left + i * step + barW / 2, y: height - 6, 'text-anchor': 'middle' }, clock(b.start, withDay))));
    const bars = a.buckets.map((b, i) => {
      let base = 0;
      return STACK.filter((s) => b.counts[s] > 0).map((s) => {
        const count = b.counts[s];
        const y0 = y(base); base += count; const y1 = y(base);
        const what = `${count} ${s.toLowerCase()}, expected ${clock(b.start, withDay)} to ${clock(b.end, withDay)}`;
        return svg('a', { href: runsLink({ state: s, since: b.start, until: b.end }), 'aria-label': what, 'data-bucket': i, 'data-state': s, 'data-count': count },
          svg('rect', { class: `bar bar-${s.toLowerCase()}`, x: left + i * step, y: y1, width: barW, height: Math.max(1, y0 - y1) }, svg('title', null, what)));
      });
    });
    return svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'group', 'aria-label': `Flow runs per ${a.bucket_seconds / 60} minutes, by state` },
      grid, labels, bars);
  };

  const drawActivity = ({ a, width }) => {
    const c = a.counts;
    const failed = c.FAILED + c.CRASHED;
    const whole = { since: a.since, until: a.until };
    const stat = (key, label, value, href, kind) => h('a', { class: `stat${kind ? ` stat-${kind}` : ''}`, href, 'data-stat': key },
      h('span', { class: 'stat-value' }, value), h('span', { class: 'stat-label' }, label));
    return [
      head('activity-title', `Flow runs, last ${WINDOWS[preset].label}`),
      h('div', { class: 'stats' },
        stat('total', 'runs', a.total, runsLink(whole)),
        stat('completed', 'completed', c.COMPLETED, runsLink({ state: 'COMPLETED', ...whole }), 'ok'),
        stat('failed', 'failed or crashed', failed, runsLink({ state: 'FAILED,CRASHED', ...whole }), failed ? 'bad' : null),
        stat('failure-rate', 'failure rate of finished runs', percent(a.failure_rate), runsLink({ state: 'FAILED,CRASHED', ...whole }), failed ? 'bad' : null),
        stat('running', 'running', c.RUNNING + c.PENDING + c.CANCELLING, runsLink({ state: HOLDS_SLOT.join(','), ...whole })),
        stat('scheduled', 'scheduled', c.SCHEDULED, runsLink({ state: 'SCHEDULED', ...whole }))),
      a.total ? h('div', { class: 'chart-wrap' }, chart(a, width)) : h('p', { class: 'empty' }, 'No flow run was expected to start in this window.'),
      h('ul', { class: 'legend' }, STACK.filter((s) => c[s] > 0).map((s) => h('li', null,
        h('span', { class: `swatch bar-${s.toLowerCase()}`, 'aria-hidden': 'true' }),
        link(runsLink({ state: s, ...whole }), `${s.toLowerCase()} ${c[s]}`)))),
      a.truncated ? h('p', { class: 'warn', 'data-truncated': '' }, `Counted from the newest ${a.max_runs} runs only: older ones are left out.`) : null,
      h('p', { class: 'hint' }, 'Runs count at their expected start time.'),
    ];
  };

  let chartWidth = 0;
  const measure = () => Math.max(280, Math.floor(activity.clientWidth - 40));
  const activityPoll = ctx.poll(async () => {
    const w = windowNow(preset);
    const a = await api('GET', `/flow_runs/activity${query({
      since: w.since, until: w.until, bucket_seconds: w.bucket, work_pool_name: scope.pool, deployment_id: scope.deployment,
    })}`);
    chartWidth = measure();
    update(activity, { a, width: chartWidth }, drawActivity);
  }, ACTIVITY_REFRESH_MS);
  const onResize = () => { if (Math.abs(measure() - chartWidth) > 20) activityPoll.now(); };
  window.addEventListener('resize', onResize);
  ctx.onDispose(() => window.removeEventListener('resize', onResize));

  // ---------- late runs, runs failing now ----------

  const runRows = (runs, timeOf) => runs.slice(0, 10).map((r) => h('tr', { 'data-run': r.id },
    h('td', null, link(`#/runs/${enc(r.id)}`, r.name || r.id)),
    h('td', null, r.deployment_id ? link(`#/deployments/${enc(r.deployment_id)}`, `${r.flow_name}/${r.deployment_name || ''}`) : r.flow_name),
    h('td', null, stateBadge(r.state), r.state && r.state.message ? h('span', { class: 'reason' }, ` ${r.state.message}`) : null),
    h('td', null, when(timeOf(r)))));

  ctx.poll(async () => {
    const w = windowNow(preset);
    const [scheduled, failed] = await Promise.all([
      api('GET', `/flow_runs${query({ state_type: 'SCHEDULED', work_pool_name: scope.pool, deployment_id: scope.deployment, limit: LIST_LIMIT })}`),
      api('GET', `/flow_runs${query({ state_type: 'FAILED,CRASHED', work_pool_name: scope.pool, deployment_id: scope.deployment, limit: LIST_LIMIT })}`)]);
    const lateRuns = scheduled.items.filter((r) => r.state && r.state.name === 'Late');
    const failingRuns = failed.items.filter((r) => r.state && Date.parse(r.state.timestamp) >= Date.parse(w.since))
      .sort((x, y) => Date.parse(y.state.timestamp) - Date.parse(x.state.timestamp));
    update(late, { runs: lateRuns, more: !!scheduled.next }, (x) => [
      head('late-title', 'Late runs', runsLink({ state: 'SCHEDULED', late: '1' }), 'All late runs'),
      h('p', { class: 'big' }, h('span', { 'data-count': x.runs.length }, `${x.runs.length}${x.more ? '+' : ''}`), ' late'),
      table('Late runs', ['Run', 'Deployment', 'State', 'Expected'], runRows(x.runs, (r) => r.scheduled_start_time),
        'No run is late: every run due has been picked up.')]);
    update(failing, { runs: failingRuns, more: !!failed.next }, (x) => [
      head('failing-title', 'Failing now', runsLink({ state: 'FAILED,CRASHED' }), 'All failed runs'),
      h('p', { class: 'big' }, h('span', { 'data-count': x.runs.length }, `${x.runs.length}${x.more ? '+' : ''}`),
        ` failed or crashed in the last ${WINDOWS[preset].label}`),
      table('Runs failing now', ['Run', 'Deployment', 'State', 'Ended'], runRows(x.runs, (r) => r.state.timestamp),
        'Nothing failed or crashed in this window.')]);
  }, REFRESH_MS);

  // ---------- work pools: health and slots; what comes up in the next hour ----------

  ctx.poll(async () => {
    const [poolList, busy] = await Promise.all([api('GET', `/work_pools${query({ limit: LIST_LIMIT })}`),
      api('GET', `/flow_runs${query({ state_type: HOLDS_SLOT.join(','), limit: LIST_LIMIT })}`)]);
    const shown = poolList.items.filter((p) => !scope.pool || p.name === scope.pool);
    const details = await Promise.all(shown.map(async (p) => {
      const [workers, soon] = await Promise.all([
        api('GET', `/work_pools/${enc(p.name)}/workers${query({ limit: LIST_LIMIT })}`),
        api('GET', `/work_pools/${enc(p.name)}/upcoming_runs${query({ hours: 1, limit: 100 })}`).catch((e) => {
          if (e.status === 404) return { items: [] }; // a server without schedules
          throw e;
        })]);
      return { pool: p, workers: workers.items, soon: soon.items.filter((u) => !u.late) };
    }));
    const inUse = {};
    for (const r of busy.items) inUse[r.work_pool_name] = (inUse[r.work_pool_name] || 0) + 1;
    const rows = details.map((d) => ({
      name: d.pool.name, status: d.pool.status, limit: d.pool.concurrency_limit, paused: d.pool.is_paused,
      online: d.workers.filter((w) => w.status === 'ONLINE').length, workers: d.workers.length, used: inUse[d.pool.name] || 0,
    }));
    update(pools, { rows, more: !!busy.next }, (x) => [
      head('pools-title', 'Work pools', '#/pools', 'All work pools'),
      table('Work pool health', ['Work pool', 'Status', 'Workers online', 'Slots in use'], x.rows.map((p) => h('tr', { 'data-pool': p.name },
        h('td', null, link(`#/pools/${enc(p.name)}`, p.name)),
        h('td', null, statusIcon(p.status, ui.POOL_MEANING)),
        h('td', { 'data-online': p.online }, link(`#/pools/${enc(p.name)}/workers`, `${p.online} of ${p.workers}`)),
        h('td', { 'data-used': p.used, class: p.limit != null && p.used >= p.limit ? 'warn' : null },
          link(`#/runs${query({ pool: p.name, state: HOLDS_SLOT.join(',') })}`,
            `${p.used}${x.more ? '+' : ''} of ${p.limit == null ? 'no limit' : p.limit}`)))),
      'No work pools yet.')]);
    const soon = details.flatMap((d) => d.soon.map((u) => ({ ...u, pool: d.pool.name })))
      .sort((x, y) => Date.parse(x.scheduled_start_time) - Date.parse(y.scheduled_start_time));
    update(upcoming, soon, (items) => [
      head('upcoming-title', 'Coming up in the next hour'),
      table('Runs coming up in the next hour', ['Starts', 'Deployment', 'Work pool', 'Schedule'], items.slice(0, 20).map((u) => h('tr', { 'data-upcoming': u.scheduled_start_time },
        h('td', null, u.flow_run_id ? link(`#/runs/${enc(u.flow_run_id)}`, ui.relative(u.scheduled_start_time)) : when(u.scheduled_start_time)),
        h('td', null, u.deployment_id ? link(`#/deployments/${enc(u.deployment_id)}`, u.deployment || u.deployment_id) : (u.deployment || '—')),
        h('td', null, link(`#/pools/${enc(u.pool)}/runs`, u.pool)),
        h('td', null, u.schedule || (u.flow_run_id ? 'set to start later' : '—')))),
      'Nothing is due to start in the next hour.'),
      items.length > 20 ? h('p', { class: 'muted' }, `and ${items.length - 20} more`) : null]);
  }, REFRESH_MS);
}
