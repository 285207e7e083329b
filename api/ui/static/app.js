/* The web UI: portfolios, runs with live progress, plans and comparisons, over the service's JSON API.
 * The API key is typed in once and kept in localStorage; every request sends it in X-API-Key. */
(function () {
  'use strict';

  const KEY_STORE = 'pmo.apiKey';
  const TERMINAL = ['completed', 'infeasible', 'cancelled', 'failed', 'interrupted'];
  const app = document.getElementById('app');
  let leave = null; // what the current page must stop (an event stream) when another one opens

  const h = window.PmoCharts.h; // one element builder for the pages and the charts (charts.js loads first)

  function apiKey() {
    return localStorage.getItem(KEY_STORE) || '';
  }

  class ApiError extends Error {
    constructor(status, problem) {
      super(problem.detail || problem.title || 'HTTP ' + status);
      this.status = status;
      this.errors = problem.errors || [];
    }
  }

  async function api(method, path, body) {
    const headers = { 'X-API-Key': apiKey() };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)) });
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = { detail: text.slice(0, 300) }; }
    if (!response.ok) throw new ApiError(response.status, data || {});
    return data;
  }

  /* A problem with every invalid input at its path (the service's 422 `errors`). */
  function problem(parent, err) {
    const box = h('div', { class: 'app-error', role: 'alert' }, parent);
    const auth = err.status === 401 ? ' — enter a valid API key above (`pmo keys create` prints one)' : '';
    h('strong', {}, box, err.message + auth);
    if (err.errors && err.errors.length) {
      const ul = h('ul', { class: 'app-problems' }, box);
      for (const e of err.errors) {
        const li = h('li', {}, ul);
        h('code', {}, li, e.path || '(document)');
        li.appendChild(document.createTextNode(': ' + e.message));
      }
    }
    return box;
  }

  function page(title) {
    app.textContent = '';
    h('h1', {}, app, title);
    app.focus();
    return app;
  }

  function idOf(path) {
    return path ? path.split('/').pop() : null;
  }

  async function guarded(parent, work) {
    try {
      await work();
    } catch (err) {
      problem(parent, err);
    }
  }

  // ---------------------------------------------------------------- portfolios

  async function portfoliosPage() {
    const root = page('Portfolios');
    const upload = h('section', { class: 'app-card', 'aria-labelledby': 'upload-h' }, root);
    h('h2', { id: 'upload-h' }, upload, 'Upload a portfolio (JSON)');
    const file = h('input', { type: 'file', id: 'upload-file', accept: '.json,application/json', 'aria-label': 'portfolio file' }, upload);
    h('p', {}, upload, 'or paste it:');
    const text = h('textarea', { id: 'upload-text', rows: '6', 'aria-label': 'portfolio JSON' }, upload);
    const send = h('button', { id: 'upload-button', type: 'button' }, upload, 'Upload');
    const result = h('div', { id: 'upload-result', 'aria-live': 'polite' }, upload);
    send.addEventListener('click', () => {
      result.textContent = '';
      guarded(result, async () => {
        const body = file.files.length ? await file.files[0].text() : text.value;
        const stored = await api('POST', '/v1/portfolios', body);
        location.hash = '#/portfolios/' + stored.id;
      });
    });
    const list = h('section', { 'aria-labelledby': 'list-h' }, root);
    h('h2', { id: 'list-h' }, list, 'Stored portfolios');
    await guarded(list, async () => {
      const rows = await api('GET', '/v1/portfolios');
      if (!rows.length) { h('p', {}, list, 'None yet.'); return; }
      const table = h('table', { class: 'pmo-table', id: 'portfolio-list' }, list);
      const head = h('tr', {}, h('thead', {}, table));
      for (const t of ['name', 'version', 'updated']) h('th', { scope: 'col' }, head, t);
      const body = h('tbody', {}, table);
      for (const p of rows) {
        const tr = h('tr', {}, body);
        h('a', { href: '#/portfolios/' + p.id }, h('td', {}, tr), p.name || p.id);
        h('td', {}, tr, String(p.version));
        h('td', {}, tr, p.updated_at.slice(0, 19).replace('T', ' '));
      }
    });
  }

  async function portfolioPage(id) {
    const root = page('Portfolio');
    await guarded(root, async () => {
      const p = await api('GET', '/v1/portfolios/' + id);
      root.querySelector('h1').textContent = p.name || id;
      const doc = p.portfolio;
      const tasks = (doc.projects || []).reduce((n, x) => n + (x.tasks || []).length, 0);
      h('p', {}, root, 'Version ' + p.version + ' · ' + (doc.projects || []).length + ' projects · ' + tasks + ' tasks · ' + (doc.people || []).length + ' people');
      const solve = h('section', { class: 'app-card', 'aria-labelledby': 'solve-h' }, root);
      h('h2', { id: 'solve-h' }, solve, 'Solve');
      h('label', { for: 'time-limit' }, solve, 'Time limit (s) ');
      const limit = h('input', { id: 'time-limit', type: 'number', min: '1', value: '10', style: 'width:6em' }, solve);
      const start = h('button', { id: 'solve-button', type: 'button' }, solve, 'Start solve');
      const solveOut = h('div', {}, solve);
      start.addEventListener('click', () => guarded(solveOut, async () => {
        const run = await api('POST', '/v1/runs', { kind: 'solve', portfolio: id, settings: { time_limit: Number(limit.value) } });
        location.hash = '#/runs/' + run.id;
      }));
      await scenariosCard(root, id, limit);
    });
  }

  async function scenariosCard(root, id, limit) {
    const card = h('section', { class: 'app-card', 'aria-labelledby': 'what-if-h' }, root);
    h('h2', { id: 'what-if-h' }, card, 'What-if');
    const all = await api('GET', '/v1/scenarios');
    const mine = all.filter((s) => s.base.portfolio === id);
    const picks = h('fieldset', {}, card);
    h('legend', {}, picks, 'Scenarios to compare with the portfolio as it is');
    if (!mine.length) h('p', {}, picks, 'No scenario yet: describe one below.');
    for (const s of mine) {
      const label = h('label', { style: 'display:block' }, picks);
      h('input', { type: 'checkbox', value: s.id, class: 'scenario-pick' }, label);
      label.appendChild(document.createTextNode(' ' + (s.name || s.id) + ' (' + s.changes.length + ' change(s))'));
    }
    const compare = h('button', { id: 'compare-button', type: 'button' }, card, 'Compare');
    const out = h('div', {}, card);
    compare.addEventListener('click', () => guarded(out, async () => {
      const chosen = [...card.querySelectorAll('.scenario-pick:checked')].map((x) => x.value);
      const run = await api('POST', '/v1/runs', { kind: 'compare', portfolio: id, scenarios: chosen, settings: { time_limit: Number(limit.value) } });
      location.hash = '#/runs/' + run.id;
    }));
    h('h3', {}, card, 'New scenario');
    h('label', { for: 'scenario-name' }, card, 'Name ');
    const name = h('input', { id: 'scenario-name' }, card);
    h('p', {}, card, 'Changes (JSON list, as in docs/scenarios.md):');
    const changes = h('textarea', { id: 'scenario-changes', rows: '4', 'aria-label': 'scenario changes' }, card, '[{"op": "hire", "role": "engineer", "skill": "dev", "level": 3, "from": "' + new Date().toISOString().slice(0, 10) + '"}]');
    const add = h('button', { id: 'scenario-button', type: 'button' }, card, 'Add scenario');
    const addOut = h('div', {}, card);
    add.addEventListener('click', () => {
      addOut.textContent = '';
      guarded(addOut, async () => {
        let parsed;
        try { parsed = JSON.parse(changes.value); } catch (e) { throw new ApiError(422, { detail: 'changes: not JSON (' + e.message + ')' }); }
        await api('POST', '/v1/scenarios', { name: name.value || null, portfolio: id, changes: parsed });
        portfolioPage(id);
      });
    });
  }

  // ---------------------------------------------------------------- runs

  async function runsPage() {
    const root = page('Runs');
    await guarded(root, async () => {
      const rows = await api('GET', '/v1/runs?limit=50');
      if (!rows.length) { h('p', {}, root, 'None yet.'); return; }
      const table = h('table', { class: 'pmo-table' }, root);
      const head = h('tr', {}, h('thead', {}, table));
      for (const t of ['run', 'kind', 'state', 'gap', 'created']) h('th', { scope: 'col' }, head, t);
      const body = h('tbody', {}, table);
      for (const r of rows) {
        const tr = h('tr', {}, body);
        h('a', { href: '#/runs/' + r.id }, h('td', {}, tr), r.id.slice(0, 8));
        for (const v of [r.kind, r.state, r.gap_text, r.created_at.slice(0, 19).replace('T', ' ')]) h('td', {}, tr, v);
      }
    });
  }

  /* Server-sent events read with fetch, so that the key goes in a header as on every request. */
  async function follow(path, onEvent, signal) {
    let last = null;
    while (!signal.aborted) {
      const headers = { 'X-API-Key': apiKey(), Accept: 'text/event-stream' };
      if (last) headers['Last-Event-ID'] = last;
      const response = await fetch(path, { headers: headers, signal: signal });
      if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return; // the stream ends at a final state
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields = {};
          for (const line of block.split('\n')) {
            const at = line.indexOf(':');
            if (at > 0) fields[line.slice(0, at)] = (fields[line.slice(0, at)] || '') + line.slice(at + 1).trim();
          }
          if (fields.id) last = fields.id;
          if (fields.data) onEvent(fields.event, JSON.parse(fields.data));
        }
      }
    }
  }

  function fmt(value) {
    return value === null || value === undefined ? '—' : Number(value).toLocaleString('en', { maximumFractionDigits: 0 });
  }

  async function runPage(id) {
    const root = page('Run');
    await guarded(root, async () => {
      let run = await api('GET', '/v1/runs/' + id);
      root.querySelector('h1').textContent = run.kind + ' run ' + id.slice(0, 8);
      const box = h('dl', { class: 'pmo-kpis app-progress', id: 'progress', 'aria-live': 'polite' }, root);
      const fields = {};
      for (const [key, label] of [['state', 'state'], ['objective', 'objective'], ['bound', 'bound'], ['gap_text', 'gap'], ['events', 'updates']]) {
        const item = h('div', {}, box);
        h('dt', {}, item, label);
        fields[key] = h('dd', { id: 'run-' + key.replace('_', '-') }, item, '—');
      }
      const message = h('p', { id: 'run-message' }, root);
      const stop = h('button', { id: 'stop-button', type: 'button' }, root, 'Stop');
      const links = h('p', { id: 'run-links' }, root);
      const out = h('div', {}, root);
      let seen = 0;
      function show(data) {
        fields.state.textContent = data.state;
        fields.objective.textContent = fmt(data.objective);
        fields.bound.textContent = fmt(data.bound);
        fields.gap_text.textContent = data.gap_text || '—';
        fields.events.textContent = String(seen);
        message.textContent = data.message || '';
        stop.disabled = TERMINAL.includes(data.state);
        links.textContent = '';
        if (data.plan) h('a', { href: '#/plans/' + idOf(data.plan), id: 'plan-link' }, links, 'best plan so far');
      }
      function finished(r) {
        show(r);
        links.textContent = '';
        if (r.plan) h('a', { href: '#/plans/' + idOf(r.plan), id: 'plan-link' }, links, run.kind === 'compare' ? 'baseline plan' : 'the plan');
        if (r.kind === 'compare' && r.comparison) {
          links.appendChild(document.createTextNode(' · '));
          h('a', { href: '#/compare/' + r.id, id: 'compare-link' }, links, 'scenarios side by side');
        }
      }
      show(run);
      stop.addEventListener('click', () => guarded(out, async () => {
        stop.disabled = true;
        show(await api('DELETE', '/v1/runs/' + id));
      }));
      if (TERMINAL.includes(run.state)) { finished(run); return; }
      const controller = new AbortController();
      leave = () => controller.abort();
      try {
        await follow('/v1/runs/' + id + '/events', (kind, data) => { seen += 1; show(data); }, controller.signal);
      } catch (err) {
        if (controller.signal.aborted) return;
        throw err;
      }
      run = await api('GET', '/v1/runs/' + id);
      finished(run);
    });
  }

  // ---------------------------------------------------------------- plans and comparisons

  async function planPage(id) {
    const began = performance.now();
    const root = page('Plan');
    await guarded(root, async () => {
      const view = await api('GET', '/v1/views/plans/' + id);
      const holder = h('div', { id: 'plan' }, root);
      root.querySelector('h1').remove();
      window.PmoCharts.renderPlan(holder, view);
      h('p', {}, root).appendChild(h('a', { href: '/v1/plans/' + id, id: 'plan-json', download: 'plan.json' }, null, 'plan JSON (with your key: GET /v1/plans/' + id + ')'));
      window.pmoPageMs = performance.now() - began;
      document.body.setAttribute('data-page', 'plan');
    });
  }

  async function comparePage(runId) {
    const root = page('Comparison');
    await guarded(root, async () => {
      const [view, run] = await Promise.all([api('GET', '/v1/views/runs/' + runId + '/comparison'), api('GET', '/v1/runs/' + runId)]);
      root.querySelector('h1').remove();
      window.PmoCharts.renderComparison(h('div', { id: 'comparison' }, root), view);
      const plans = h('p', { id: 'scenario-plans' }, root, 'Plans: ');
      for (const [label, path] of Object.entries(run.plans || {})) {
        h('a', { href: '#/plans/' + idOf(path) }, plans, label);
        plans.appendChild(document.createTextNode(' '));
      }
      document.body.setAttribute('data-page', 'compare');
    });
  }

  // ---------------------------------------------------------------- routing and the key

  const ROUTES = [
    [/^#\/portfolios\/([^/]+)$/, portfolioPage],
    [/^#\/runs\/([^/]+)$/, runPage],
    [/^#\/runs$/, runsPage],
    [/^#\/plans\/([^/]+)$/, planPage],
    [/^#\/compare\/([^/]+)$/, comparePage],
  ];

  function route() {
    if (leave) { leave(); leave = null; }
    document.body.removeAttribute('data-page');
    if (!apiKey()) {
      const root = page('pmo-planner');
      h('p', { class: 'app-error', role: 'alert' }, root, 'Enter an API key above to see your portfolios, runs and plans (`pmo keys create` prints one; `make serve` prints the demo key).');
      return null;
    }
    for (const [pattern, handler] of ROUTES) {
      const match = location.hash.match(pattern);
      if (match) return handler(decodeURIComponent(match[1]));
    }
    return portfoliosPage();
  }

  const keyInput = document.getElementById('api-key');
  const keyState = document.getElementById('key-state');
  keyInput.value = apiKey();
  keyState.textContent = apiKey() ? 'key set' : 'no key';
  document.getElementById('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    localStorage.setItem(KEY_STORE, keyInput.value.trim());
    keyState.textContent = keyInput.value.trim() ? 'key set' : 'no key';
    route();
  });
  window.addEventListener('hashchange', route);
  route();
})();
