/* Plan charts (Gantt by person and by project, load heatmaps, late projects, changes, comparisons).
 * Plain JS + SVG, no dependency: the same file is inlined in the HTML report and served to the web UI.
 * The data comes from api/views (plan_view / comparison_view). */
(function (global) {
  'use strict';

  // Okabe-Ito: distinguishable with the common colour-vision deficiencies
  const PALETTE = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#000000'];
  const ROW_H = 20;
  const LABEL_W = 190;
  const AXIS_H = 30;
  const VIEW_H = 440;
  const BUFFER_ROWS = 30;
  const VIRTUAL_BARS = 1500; // up to this many bars every row is drawn at once; above, only the rows in view
  const CANVAS_CELLS = 6000; // larger heatmaps are painted on a canvas (one node instead of one per cell)
  const NS = 'http://www.w3.org/2000/svg';
  const DAY_MS = 86400000;

  function h(tag, attrs, parent, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) node.setAttribute(k, v);
    }
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function s(tag, attrs, parent, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) node.setAttribute(k, v);
    }
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function colour(k) {
    return k < 0 ? '#999999' : PALETTE[k % PALETTE.length];
  }

  function dateOf(view, offset) {
    const start = Date.parse(view.start + 'T00:00:00Z');
    return new Date(start + offset * DAY_MS).toISOString().slice(0, 10);
  }

  function fmt(value, digits) {
    if (value === null || value === undefined) return '—';
    return Number(value).toLocaleString('en', { maximumFractionDigits: digits || 0 });
  }

  function section(parent, title, id) {
    const box = h('section', { class: 'pmo-section', id: id, 'aria-labelledby': id + '-h' }, parent);
    h('h2', { id: id + '-h' }, box, title);
    return box;
  }

  // one floating tooltip for every chart (far fewer nodes than a <title> per element)
  let tip = null;
  function showTip(event, text) {
    if (!tip) tip = h('div', { class: 'pmo-tip', role: 'tooltip' }, document.body);
    tip.textContent = text;
    tip.style.display = 'block';
    tip.style.left = Math.min(event.clientX + 12, window.innerWidth - 320) + 'px';
    tip.style.top = event.clientY + 14 + 'px';
  }
  function hideTip() {
    if (tip) tip.style.display = 'none';
  }
  function tooltips(node, textOf) {
    node.addEventListener('mousemove', (e) => {
      const text = textOf(e.target);
      if (text) showTip(e, text); else hideTip();
    });
    node.addEventListener('mouseleave', hideTip);
    node.addEventListener('focusin', (e) => {
      const text = textOf(e.target);
      if (text) {
        const r = e.target.getBoundingClientRect();
        showTip({ clientX: r.left, clientY: r.bottom }, text);
      }
    });
    node.addEventListener('focusout', hideTip);
  }

  function legend(parent, view) {
    const box = h('div', { class: 'pmo-legend', 'aria-label': 'projects' }, parent);
    view.projects.forEach((p, k) => {
      const item = h('span', { class: 'pmo-legend-item' }, box);
      h('span', { class: 'pmo-swatch', style: 'background:' + colour(k) }, item);
      item.appendChild(document.createTextNode(p.id + (p.late_days ? ' (' + p.late_days + ' d late)' : '')));
    });
  }

  /* A Gantt: rows with bars on a calendar-day axis. Rows beyond the view are drawn only when
   * scrolled to (virtualised), so the DOM stays small at any size.
   * spec: {rows: [{label, title, bars: [{s, e, c, late, text, key}], shades: [[s, e]], marks: [[d, kind]]}],
   *        links: [[fromRow, toRow, type]] (optional), label} */
  function gantt(parent, view, spec, zoom) {
    const wrap = h('div', { class: 'pmo-gantt' }, parent);
    const axis = s('svg', { class: 'pmo-axis', height: AXIS_H, 'aria-hidden': 'true' }, wrap);
    const body = h('div', {
      class: 'pmo-gantt-body', tabindex: '0', role: 'region', 'aria-label': spec.label,
      style: 'height:' + Math.min(VIEW_H, spec.rows.length * ROW_H + 16) + 'px',
    }, wrap);
    const chart = s('svg', { class: 'pmo-chart', role: 'list', 'aria-label': spec.label }, body);
    const backdrop = s('g', {}, chart);
    const layer = s('g', {}, chart);
    const arrows = s('g', { class: 'pmo-arrows' }, chart);
    const labels = s('g', { class: 'pmo-labels' }, chart);
    let ppd = 1;
    let drawn = [-1, -1];
    const virtual = spec.rows.reduce((n, row) => n + row.bars.length, 0) > VIRTUAL_BARS;

    function x(d) {
      return LABEL_W + d * ppd;
    }

    function drawAxis() {
      axis.setAttribute('width', x(view.days));
      while (axis.firstChild) axis.removeChild(axis.firstChild);
      let lastMonth = '';
      for (const w of view.weeks) {
        s('line', { x1: x(w.s), x2: x(w.s), y1: 16, y2: AXIS_H, class: 'pmo-tick' }, axis);
        if ((w.e - w.s) * ppd >= 34) s('text', { x: x(w.s) + 2, y: 27, class: 'pmo-week' }, axis, w.id.slice(5));
        const month = dateOf(view, w.s).slice(0, 7);
        if (month !== lastMonth) {
          s('text', { x: x(w.s) + 2, y: 12, class: 'pmo-month' }, axis, month);
          lastMonth = month;
        }
      }
    }

    function drawBackdrop(height) {
      while (backdrop.firstChild) backdrop.removeChild(backdrop.firstChild);
      view.weeks.forEach((w, k) => {
        if (k % 2) s('rect', { x: x(w.s), y: 0, width: (w.e - w.s) * ppd, height: height, class: 'pmo-odd-week' }, backdrop);
      });
      for (const d of view.holidays) s('rect', { x: x(d), y: 0, width: Math.max(1, ppd), height: height, class: 'pmo-holiday' }, backdrop);
    }

    function drawRows(first, last) {
      while (layer.firstChild) layer.removeChild(layer.firstChild);
      while (labels.firstChild) labels.removeChild(labels.firstChild);
      while (arrows.firstChild) arrows.removeChild(arrows.firstChild);
      s('rect', { x: 0, y: first * ROW_H, width: LABEL_W - 4, height: (last - first) * ROW_H, class: 'pmo-label-bg' }, labels);
      for (let r = first; r < last; r++) {
        const row = spec.rows[r];
        const y = r * ROW_H;
        const text = s('text', { x: 4, y: y + 14, class: 'pmo-row-label' }, labels, row.label);
        if (row.title) text.setAttribute('data-tip', row.title);
        for (const [a, b] of row.shades || []) {
          s('rect', { x: x(a), y: y, width: (b - a) * ppd, height: ROW_H, class: 'pmo-off' }, layer);
        }
        if (row.part) s('rect', { x: LABEL_W, y: y, width: view.days * ppd, height: ROW_H, class: 'pmo-part' }, layer);
        for (const bar of row.bars) {
          const g = s('g', { class: 'pmo-bar' + (bar.late !== null && bar.late !== undefined ? ' pmo-late' : ''), role: 'listitem', tabindex: '0', 'data-tip': bar.text, 'aria-label': bar.text, 'data-key': bar.key }, layer);
          const bh = bar.h ? Math.max(4, Math.round((ROW_H - 6) * bar.h)) : ROW_H - 6;
          s('rect', { x: x(bar.s), y: y + 3 + (ROW_H - 6 - bh), width: Math.max(2, (bar.e - bar.s) * ppd - 1), height: bh, fill: bar.c, rx: 2 }, g);
          if (bar.late !== null && bar.late !== undefined && bar.late < bar.e) {
            const from = Math.max(bar.late, bar.s);
            s('rect', { x: x(from), y: y + 3, width: Math.max(2, (bar.e - from) * ppd - 1), height: ROW_H - 6, class: 'pmo-late-part' }, g);
          }
        }
        for (const [d, kind] of row.marks || []) {
          s('line', { x1: x(d), x2: x(d), y1: y + 1, y2: y + ROW_H - 1, class: 'pmo-mark pmo-' + kind }, layer);
        }
      }
      for (const [a, b, type] of spec.links || []) {
        if ((a < first || a >= last) && (b < first || b >= last)) continue;
        const from = spec.rows[a].bars[0];
        const to = spec.rows[b].bars[0];
        const x1 = x(type[0] === 'S' ? from.s : from.e);
        const x2 = x(type[1] === 'S' ? to.s : to.e);
        const y1 = a * ROW_H + ROW_H / 2;
        const y2 = b * ROW_H + ROW_H / 2;
        const bend = Math.max(x1, x2 - 6) + 4;
        s('path', { d: 'M' + x1 + ',' + y1 + ' H' + bend + ' V' + y2 + ' H' + x2, class: 'pmo-link', 'marker-end': 'url(#pmo-arrowhead)' }, arrows);
      }
      drawn = [first, last];
      labels.setAttribute('transform', 'translate(' + body.scrollLeft + ',0)');
    }

    function visible(force) {
      if (!virtual) {
        if (force) drawRows(0, spec.rows.length);
        labels.setAttribute('transform', 'translate(' + body.scrollLeft + ',0)');
        axis.style.transform = 'translateX(' + -body.scrollLeft + 'px)';
        return;
      }
      const top = Math.floor(body.scrollTop / ROW_H);
      const bottom = Math.ceil((body.scrollTop + body.clientHeight) / ROW_H);
      // redraw only once the view comes near the edge of what is drawn, not at every scroll step
      const near = (drawn[0] > 0 && top - drawn[0] < BUFFER_ROWS / 3) || (drawn[1] < spec.rows.length && drawn[1] - bottom < BUFFER_ROWS / 3);
      if (force || top < drawn[0] || bottom > drawn[1] || near) {
        drawRows(Math.max(0, top - BUFFER_ROWS), Math.min(spec.rows.length, bottom + BUFFER_ROWS));
      }
      labels.setAttribute('transform', 'translate(' + body.scrollLeft + ',0)');
      axis.style.transform = 'translateX(' + -body.scrollLeft + 'px)';
    }

    function render() {
      const fit = (wrap.clientWidth || 1200) - LABEL_W - 20;
      ppd = zoom.value === 'fit' ? Math.max(0.5, fit / view.days) : Number(zoom.value);
      const height = spec.rows.length * ROW_H;
      chart.setAttribute('width', x(view.days));
      chart.setAttribute('height', height);
      drawAxis();
      drawBackdrop(height);
      visible(true);
    }

    let pending = false;
    body.addEventListener('scroll', () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; visible(false); });
    });
    body.addEventListener('keydown', (e) => {
      const step = { ArrowDown: [0, ROW_H], ArrowUp: [0, -ROW_H], ArrowRight: [60, 0], ArrowLeft: [-60, 0], PageDown: [0, VIEW_H - ROW_H], PageUp: [0, ROW_H - VIEW_H] }[e.key];
      if (step && e.target === body) {
        body.scrollBy(step[0], step[1]);
        e.preventDefault();
      }
    });
    const defs = s('defs', {}, chart);
    const marker = s('marker', { id: 'pmo-arrowhead', viewBox: '0 0 6 6', refX: 6, refY: 3, markerWidth: 6, markerHeight: 6, orient: 'auto' }, defs);
    s('path', { d: 'M0,0 L6,3 L0,6 z', class: 'pmo-arrowhead' }, marker);
    tooltips(wrap, (t) => t.getAttribute && (t.getAttribute('data-tip') || (t.parentNode && t.parentNode.getAttribute && t.parentNode.getAttribute('data-tip'))));
    zoom.addEventListener('change', render);
    render();
    return wrap;
  }

  function personRows(view) {
    const rows = view.people.map((p) => ({
      label: p.id, title: (p.name || p.id) + (p.capacity < 100 ? ' — works ' + p.capacity + ' %' : ''),
      bars: [], shades: p.off, part: p.capacity < 100,
    }));
    view.tasks.forEach((t, k) => {
      const project = view.projects[t.p] || { id: '?' };
      t.who.forEach((person, j) => {
        rows[person].bars.push({
          s: t.s, e: t.e, c: colour(t.p), late: t.late, h: t.pct[j] / 100, key: k,
          text: project.id + '/' + t.t + ' · ' + dateOf(view, t.s) + ' → ' + dateOf(view, t.e - 1) + ' · ' + t.pct[j] + ' %',
        });
      });
    });
    return rows;
  }

  function taskRows(view) {
    return view.tasks.map((t, k) => {
      const project = view.projects[t.p] || { id: '?' };
      const who = t.who.map((i) => view.people[i].id).join(', ');
      const marks = [];
      if (project.due !== null && project.due !== undefined) marks.push([project.due + 1, 'due']);
      if (project.deadline !== null && project.deadline !== undefined) marks.push([project.deadline + 1, 'deadline']);
      return {
        label: project.id + '/' + t.t, title: project.id + '/' + t.t,
        bars: [{
          s: t.s, e: t.e, c: colour(t.p), late: t.late, key: k,
          text: project.id + '/' + t.t + ' · ' + dateOf(view, t.s) + ' → ' + dateOf(view, t.e - 1) + (who ? ' · ' + who : '') + (t.late !== null ? ' · after the due date' : ''),
        }],
        marks: marks,
      };
    });
  }

  function heatColour(ratio) {
    // light to dark blue (sequential, safe for colour-vision deficiencies); orange above capacity
    if (ratio === null || ratio === undefined) return null;
    if (ratio > 1.0001) return '#D55E00';
    const t = Math.max(0, Math.min(1, ratio));
    const lo = [240, 246, 252], hi = [8, 64, 129];
    return 'rgb(' + lo.map((v, i) => Math.round(v + (hi[i] - v) * t)).join(',') + ')';
  }

  /* A heatmap: rows × weeks; each cell {ratio, text, high}. One rect per cell, or one canvas when large. */
  function heatmap(parent, view, spec) {
    const cw = Math.max(12, Math.min(28, Math.floor(((parent.clientWidth || 1200) - LABEL_W - 30) / Math.max(1, view.weeks.length))));
    const ch = 16;
    const wrap = h('div', { class: 'pmo-heat', tabindex: '0', role: 'region', 'aria-label': spec.label }, parent);
    const width = LABEL_W + cw * view.weeks.length;
    const height = AXIS_H + ch * spec.rows.length;
    const large = spec.rows.length * view.weeks.length > CANVAS_CELLS;
    const svg = s('svg', { width: large ? LABEL_W : width, height: height, class: 'pmo-heat-svg' }, wrap);
    if (!large) {
      view.weeks.forEach((w, c) => {
        if (c % 2 === 0 || cw >= 24) s('text', { x: LABEL_W + c * cw + 1, y: AXIS_H - 6, class: 'pmo-week' }, svg, w.id.slice(6));
      });
    }
    const cells = s('g', {}, svg);
    spec.rows.forEach((row, r) => {
      const y = AXIS_H + r * ch;
      s('text', { x: 4, y: y + 12, class: 'pmo-row-label' }, svg, row.label);
      if (large) return;
      row.cells.forEach((cell, c) => {
        const fill = heatColour(cell.ratio);
        s('rect', {
          x: LABEL_W + c * cw, y: y, width: cw - 1, height: ch - 1,
          class: 'pmo-heat-cell' + (fill ? '' : ' pmo-heat-none') + (cell.high ? ' pmo-high' : ''),
          fill: fill, 'data-tip': row.label + ' · ' + view.weeks[c].id + ' · ' + cell.text,
        }, cells);
      });
    });
    if (large) {
      svg.style.float = 'left';
      const canvas = h('canvas', { width: width - LABEL_W, height: height, class: 'pmo-heat-canvas', role: 'img', 'aria-label': spec.label + ' (' + spec.rows.length + ' rows × ' + view.weeks.length + ' weeks)' }, wrap);
      const g = canvas.getContext('2d');
      g.font = '10px system-ui, sans-serif';
      g.fillStyle = '#57606a';
      view.weeks.forEach((w, c) => { if (c % 2 === 0) g.fillText(w.id.slice(6), c * cw + 1, AXIS_H - 6); });
      spec.rows.forEach((row, r) => {
        row.cells.forEach((cell, c) => {
          g.fillStyle = heatColour(cell.ratio) || '#eaeef2';
          g.fillRect(c * cw, AXIS_H + r * ch, cw - 1, ch - 1);
          if (cell.high) {
            g.strokeStyle = '#D55E00';
            g.lineWidth = 2;
            g.strokeRect(c * cw + 1, AXIS_H + r * ch + 1, cw - 3, ch - 3);
          }
        });
      });
      canvas.addEventListener('mousemove', (e) => {
        const box = canvas.getBoundingClientRect();
        const c = Math.floor((e.clientX - box.left) / cw);
        const r = Math.floor((e.clientY - box.top - AXIS_H) / ch);
        const row = spec.rows[r];
        if (row && row.cells[c]) showTip(e, row.label + ' · ' + view.weeks[c].id + ' · ' + row.cells[c].text); else hideTip();
      });
      canvas.addEventListener('mouseleave', hideTip);
    }
    tooltips(wrap, (t) => t.getAttribute && t.getAttribute('data-tip'));
    return wrap;
  }

  function personHeat(view) {
    return view.people.map((p, i) => ({
      label: p.id,
      cells: view.heat_people[i].map((pct) => ({
        ratio: pct === null ? null : pct / 100,
        high: pct !== null && pct >= view.high_load,
        text: pct === null ? 'not available' : pct + ' % booked' + (pct >= view.high_load ? ' (≥ ' + view.high_load + ' %)' : ''),
      })),
    }));
  }

  function skillHeat(view) {
    return view.heat_skills.map((k) => ({
      label: k.id,
      cells: k.demand.map((d, c) => {
        const cap = k.capacity[c];
        const ratio = cap > 0 ? d / cap : (d > 0 ? 2 : null);
        return {
          ratio: ratio, high: ratio !== null && ratio * 100 >= view.high_load,
          text: fmt(d, 1) + ' of ' + fmt(cap, 1) + ' person-days' + (cap > 0 ? ' (' + Math.round(100 * d / cap) + ' %)' : ''),
        };
      }),
    }));
  }

  function table(parent, headers, rows, caption) {
    const t = h('table', { class: 'pmo-table' }, parent);
    if (caption) h('caption', {}, t, caption);
    const head = h('tr', {}, h('thead', {}, t));
    for (const name of headers) h('th', { scope: 'col' }, head, name);
    const body = h('tbody', {}, t);
    for (const row of rows) {
      const tr = h('tr', {}, body);
      row.forEach((cell, k) => {
        const td = h(k === 0 ? 'th' : 'td', k === 0 ? { scope: 'row' } : {}, tr);
        if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === null || cell === undefined ? '—' : String(cell);
      });
    }
    return t;
  }

  function kpis(parent, view) {
    const m = view.summary;
    const box = h('dl', { class: 'pmo-kpis' }, parent);
    const items = [
      ['status', m.status_text], ['objective', fmt(m.objective)], ['lower bound', fmt(m.bound)],
      ['gap', m.gap_pct === null ? '—' : m.gap_pct + ' %'], ['late projects', m.late_projects],
      ['late days', m.late_days], ['makespan', m.makespan_days + ' working days'], ['cost', fmt(m.total_cost)],
      ['assignments', m.assignments],
    ];
    for (const [k, v] of items) {
      const item = h('div', {}, box);
      h('dt', {}, item, k);
      h('dd', {}, item, String(v));
    }
    for (const text of m.explanation.concat(m.summary)) h('p', { class: 'pmo-note' }, parent, text);
    if (m.lateness) h('p', { class: 'pmo-note' }, parent, m.lateness);
  }

  function zoomControl(parent, id) {
    const box = h('div', { class: 'pmo-controls' }, parent);
    h('label', { for: id }, box, 'Zoom ');
    const select = h('select', { id: id }, box);
    for (const [v, t] of [['fit', 'whole horizon'], ['2', 'quarters'], ['4', 'months'], ['8', 'weeks'], ['16', 'days']]) h('option', { value: v }, select, t);
    return select;
  }

  function lateSection(parent, view) {
    const box = section(parent, 'Late projects and why', 'pmo-late');
    if (!view.late.length) {
      h('p', {}, box, 'No project finishes after its due date.');
      return;
    }
    for (const late of view.late) {
      const d = h('details', { class: 'pmo-why' }, box);
      h('summary', {}, d, late.project + ': ' + late.late_days + ' working day(s) late (due ' + late.due + ', finishes ' + late.finish + ')');
      h('p', {}, d, late.message);
      if (late.chain.length) {
        const ol = h('ol', {}, d);
        for (const link of late.chain) h('li', {}, ol, link);
      }
      if (late.waits.length) {
        h('p', {}, d, 'People and weeks waited for:');
        const ul = h('ul', {}, d);
        for (const w of late.waits) h('li', {}, ul, w);
      }
    }
  }

  function changesSection(parent, view) {
    if (!view.replan) return;
    const box = section(parent, 'Changes against the baseline', 'pmo-changes');
    const moved = view.replan_projects || [];
    if (moved.length) {
      const odds = new Map(((view.risk || {}).projects || []).map((r) => [r.id, r.p_on_time]));
      table(box, ['project', 'due', 'finish before → after', 'working days late before → after'].concat(view.risk ? ['on time after'] : []),
        moved.map((p) => [p.project, p.due, (p.finish_before || 'left out') + ' → ' + (p.finish_after || 'left out'),
          (p.late_days_before === null ? '—' : p.late_days_before) + ' → ' + (p.late_days_after === null ? '—' : p.late_days_after)]
          .concat(view.risk ? [pct(odds.get(p.project))] : [])),
        'Projects whose finish moved');
    }
    if (!view.changes.length) {
      h('p', {}, box, 'No change: the plan keeps the baseline.');
      return;
    }
    table(box, ['task', 'change', 'start before → after', 'finish before → after', 'shift (working days)', 'people added', 'people removed'],
      view.changes.map((c) => [c.project + '/' + c.task, c.change, (c.old_start || '—') + ' → ' + (c.new_start || '—'),
        (c.old_finish || '—') + ' → ' + (c.new_finish || '—'), c.shift_days, c.people_added.join(', '), c.people_removed.join(', ')]));
  }

  function pct(value) {
    return value === null || value === undefined ? '—' : Math.round(100 * value) + ' %';
  }

  /* Schedule risk: per project the S-curve P(finish ≤ date) (a step line over the sampled quantiles). */
  function riskSection(parent, view) {
    const risk = view.risk;
    if (!risk || !risk.projects.length) return;
    const box = section(parent, 'Schedule risk: P(finish ≤ date)', 'pmo-risk');
    h('p', { class: 'pmo-note' }, box, (risk.uncertain_tasks ? risk.uncertain_tasks + ' task(s) with an uncertain length, ' : 'no task has an uncertain length (the plan\'s own dates), ') + fmt(risk.samples) + ' sampled schedules; dot: the due date.');
    const index = new Map(view.projects.map((p, k) => [p.id, k]));
    const days = risk.projects.flatMap((p) => p.curve.map((c) => c[1]));
    const dues = risk.projects.map((p) => (view.projects[index.get(p.id)] || {}).due).filter((d) => d !== null && d !== undefined);
    const lo = Math.min(...days, ...dues) - 1;
    const hi = Math.max(...days, ...dues) + 1;
    const W = 640, H = 220, L = 44, B = 24;
    const x = (d) => L + (W - L - 10) * (d - lo) / Math.max(1, hi - lo);
    const y = (p) => 8 + (H - B - 8) * (1 - p);
    const svg = s('svg', { class: 'pmo-scurve', width: W, height: H, role: 'img', 'aria-label': 'S-curves of the project finishes' }, box);
    for (const p of [0, 0.5, 0.8, 1]) {
      s('line', { x1: L, x2: W - 10, y1: y(p), y2: y(p), class: 'pmo-tick' }, svg);
      s('text', { x: L - 4, y: y(p) + 4, 'text-anchor': 'end', class: 'pmo-week' }, svg, Math.round(100 * p) + ' %');
    }
    s('text', { x: L, y: H - 6, class: 'pmo-week' }, svg, dateOf(view, lo));
    s('text', { x: W - 10, y: H - 6, 'text-anchor': 'end', class: 'pmo-week' }, svg, dateOf(view, hi));
    for (const p of risk.projects) {
      const k = index.has(p.id) ? index.get(p.id) : -1;
      let path = 'M' + x(lo) + ',' + y(0);
      let last = 0;
      for (const [q, d] of p.curve) {
        path += ' H' + x(d) + ' V' + y(q);
        last = q;
      }
      path += ' H' + x(hi);
      const text = p.id + ' · on time ' + pct(p.p_on_time) + ' · P50 ' + p.p50 + ' · P80 ' + p.p80;
      s('path', { d: path, class: 'pmo-scurve-line', stroke: colour(k), 'data-project': p.id, 'data-tip': text, 'aria-label': text, 'data-last': last }, svg);
      const due = (view.projects[k] || {}).due;
      if (due !== null && due !== undefined && p.p_on_time !== null) s('circle', { cx: x(due), cy: y(p.p_on_time), r: 3.5, fill: colour(k), class: 'pmo-scurve-due' }, svg);
    }
    tooltips(svg, (node) => node.getAttribute('data-tip'));
    table(box, ['project', 'on time', 'by deadline', 'P50 finish', 'P80 finish'],
      risk.projects.map((p) => [p.id, pct(p.p_on_time), pct(p.p_by_deadline), p.p50, p.p80]));
  }

  /* The whole plan: KPIs, both Gantts, both heatmaps, late projects, changes. */
  function renderPlan(container, view) {
    const began = performance.now();
    container.textContent = '';
    const root = h('div', { class: 'pmo-plan' }, container);
    h('h1', {}, root, view.title);
    kpis(root, view);
    legend(root, view);
    const people = section(root, 'Gantt by person', 'pmo-gantt-people');
    h('p', { class: 'pmo-note' }, people, 'Bars: tasks, coloured by project, height by allocation; grey: absent or not yet / no longer available; tinted rows: part-time; hatched: after the due date.');
    gantt(people, view, { rows: personRows(view), label: 'Gantt by person' }, zoomControl(people, 'pmo-zoom-people'));
    const tasks = section(root, 'Gantt by project', 'pmo-gantt-tasks');
    h('p', { class: 'pmo-note' }, tasks, 'Rows: tasks; arrows: dependencies; blue line: due date; red line: deadline; hatched: work after the due date.');
    gantt(tasks, view, { rows: taskRows(view), links: view.deps, label: 'Gantt by project' }, zoomControl(tasks, 'pmo-zoom-tasks'));
    const load = section(root, 'Utilisation by person and ISO week', 'pmo-heat-people');
    h('p', { class: 'pmo-note' }, load, 'Share of the capacity offered that week that is booked; outlined: ≥ ' + view.high_load + ' %; grey: not available.');
    heatmap(load, view, { rows: personHeat(view), label: 'Utilisation by person and week' });
    const skills = section(root, 'Skills: demand against capacity by ISO week', 'pmo-heat-skills');
    h('p', { class: 'pmo-note' }, skills, 'Person-days booked on the skill against the person-days its holders offer; outlined: ≥ ' + view.high_load + ' % (bottlenecks).');
    heatmap(skills, view, { rows: skillHeat(view), label: 'Skill demand against capacity by week' });
    lateSection(root, view);
    riskSection(root, view);
    changesSection(root, view);
    global.pmoRenderMs = performance.now() - began;
    return root;
  }

  function deltaText(value, suffix) {
    if (value === null || value === undefined) return '';
    if (Math.abs(value) < 0.005) return ' (±0' + (suffix || '') + ')';
    return ' (' + (value > 0 ? '+' : '−') + fmt(Math.abs(value), 1) + (suffix || '') + ')';
  }

  /* Scenarios side by side: KPIs, per-project finish deltas, who moves where. */
  function renderComparison(container, view) {
    container.textContent = '';
    const root = h('div', { class: 'pmo-compare' }, container);
    h('h1', {}, root, view.title);
    const names = view.scenarios.map((o) => o.name);
    const figures = section(root, 'Key figures side by side', 'pmo-figures');
    table(figures, ['figure'].concat(names), view.figures.map((f) => [f.label].concat(view.scenarios.map((o) => {
      if (!o.figures) return o.status;
      const scale = f.percent ? 100 : 1;
      const v = o.figures[f.key];
      const delta = o.delta ? o.delta[f.key] : null;
      return (v === null ? '—' : fmt(v * scale, f.percent ? 1 : 0) + (f.percent ? ' %' : '')) + deltaText(delta === null || delta === undefined ? null : delta * scale, f.percent ? ' pt' : '');
    }))), 'Baseline: ' + view.baseline);
    const finishes = section(root, 'Project finishes', 'pmo-finishes');
    const span = Math.max(1, ...view.projects.flatMap((p) => names.map((n) => Math.abs((p.cells[n] || {}).finish_delta_days || 0))));
    table(finishes, ['project'].concat(names), view.projects.map((p) => [p.id].concat(names.map((n) => {
      const cell = p.cells[n];
      if (!cell) return '—';
      const box = h('span', { class: 'pmo-delta' });
      const odds = (view.on_time || {})[n];
      const chance = odds && cell.finish && p.id in odds ? ' · ' + pct(odds[p.id]) + ' on time' : '';
      box.appendChild(document.createTextNode((cell.finish || cell.state) + (cell.late_days ? ' · ' + cell.late_days + ' d late' : '') + chance));
      if (cell.finish_delta_days) {
        const d = cell.finish_delta_days;
        h('span', { class: 'pmo-delta-bar ' + (d > 0 ? 'pmo-later' : 'pmo-earlier'), style: 'width:' + Math.max(3, Math.round(60 * Math.abs(d) / span)) + 'px', 'aria-hidden': 'true' }, box);
        box.appendChild(document.createTextNode((d > 0 ? '+' : '−') + Math.abs(d) + ' d'));
      }
      return box;
    }))));
    const moves = section(root, 'Who moves where', 'pmo-moves');
    if (!view.moves.length) h('p', {}, moves, 'Nobody changes projects.');
    else table(moves, ['person', 'scenario', 'joins', 'leaves', 'utilisation'], view.moves.map((m) => [m.person, m.scenario, m.joins.join(', '), m.leaves.join(', '), m.utilisation]));
    for (const o of view.scenarios) {
      if (o.explanation.length) {
        const box = section(root, o.name + ': no plan', 'pmo-why-' + o.name);
        for (const text of o.explanation) h('p', {}, box, text);
      }
    }
    return root;
  }

  /* Slip per project: a bar right of zero when the forecast finishes after the baseline, left when before. */
  function slipChart(parent, finishes) {
    const rows = finishes.filter((f) => f.slip !== null && f.slip !== undefined);
    if (!rows.length) {
      h('p', {}, parent, 'No project has both a baseline and a forecast finish.');
      return;
    }
    const span = Math.max(1, ...rows.map((f) => Math.abs(f.slip)));
    const W = 640, L = 150, R = 60, BAR = 16;
    const mid = L + (W - L - R) / 2;
    const half = (W - L - R) / 2;
    const height = rows.length * (BAR + 6) + 24;
    const svg = s('svg', { class: 'pmo-slip', width: W, height: height, role: 'img', 'aria-label': 'Slip of each project in working days' }, parent);
    s('line', { x1: mid, x2: mid, y1: 0, y2: height - 18, stroke: '#57606a' }, svg);
    s('text', { x: mid, y: height - 4, 'text-anchor': 'middle', class: 'pmo-week' }, svg, '0 (on the baseline)');
    rows.forEach((f, k) => {
      const y = k * (BAR + 6) + 4;
      const w = Math.max(f.slip ? 2 : 0, half * Math.abs(f.slip) / span);
      const text = f.project + ' · baseline ' + f.baseline + ' → forecast ' + f.forecast + ' · ' + (f.slip > 0 ? '+' : '') + f.slip + ' working days';
      s('text', { x: L - 6, y: y + BAR - 4, 'text-anchor': 'end', class: 'pmo-row-label' }, svg, f.project);
      s('rect', {
        x: f.slip >= 0 ? mid : mid - w, y: y, width: w, height: BAR, rx: 2,
        fill: f.slip > 0 ? '#D55E00' : '#009E73', class: 'pmo-slip-bar', 'data-project': f.project, 'data-tip': text, 'aria-label': text,
      }, svg);
      s('text', { x: f.slip >= 0 ? mid + w + 4 : mid - w - 4, y: y + BAR - 4, 'text-anchor': f.slip >= 0 ? 'start' : 'end', class: 'pmo-week' }, svg, (f.slip > 0 ? '+' : '') + f.slip + ' d');
    });
    tooltips(svg, (node) => node.getAttribute && node.getAttribute('data-tip'));
  }

  /* Progress against the baseline: slip chart, the projects' table, late tasks and the pain points. */
  function renderStatus(container, view) {
    container.textContent = '';
    const root = h('div', { class: 'pmo-status' }, container);
    h('h1', {}, root, view.title);
    for (const text of view.notes) h('p', { class: 'pmo-note' }, root, text);
    const chart = section(root, 'Slip against the baseline (working days)', 'pmo-status-slip');
    h('p', { class: 'pmo-note' }, chart, 'Orange: the forecast finishes after the baseline; green: before.');
    slipChart(chart, view.finishes);
    for (const t of view.tables) table(section(root, t.title, t.id), t.columns, t.rows);
    return root;
  }

  /* The self-contained report: the data sits in <script type="application/json" id="pmo-data">. */
  function bootReport() {
    const data = JSON.parse(document.getElementById('pmo-data').textContent);
    const main = document.getElementById('pmo-main');
    if (data.comparison) {
      renderComparison(h('div', {}, main), data.comparison);
    }
    if (data.status) {
      renderStatus(h('div', {}, main), data.status);
    }
    const plans = data.plans || [];
    if (plans.length > 1) {
      const box = h('div', { class: 'pmo-controls' }, main);
      h('label', { for: 'pmo-scenario' }, box, 'Plan of ');
      const select = h('select', { id: 'pmo-scenario' }, box);
      plans.forEach((p, k) => h('option', { value: String(k) }, select, p.title));
      const holder = h('div', {}, main);
      select.addEventListener('change', () => renderPlan(holder, plans[Number(select.value)]));
      renderPlan(holder, plans[0]);
    } else if (plans.length === 1) {
      renderPlan(h('div', {}, main), plans[0]);
    }
    document.body.setAttribute('data-rendered', 'true');
  }

  global.PmoCharts = { renderPlan: renderPlan, renderComparison: renderComparison, renderStatus: renderStatus, bootReport: bootReport, PALETTE: PALETTE, h: h };
})(window);
