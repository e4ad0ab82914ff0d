// bench/chart.svg, drawn here without a charting dependency: main-thread cost
// per event against queue depth (log-log), and the backlog drain rate (bars).

const WIDTH = 1060;
const HEIGHT = 440;
const COLORS = { wasm: '#0b7a5c', tidal: '#d9541e', reference: '#b8b8b8', target: '#777' };
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function text(x, y, content, { size = 12, anchor = 'start', color = '#222', weight = 'normal', rotate } = {}) {
  const transform = rotate ? ` transform="rotate(${rotate} ${x} ${y})"` : '';
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${FONT} font-size="${size}" text-anchor="${anchor}" fill="${color}" font-weight="${weight}"${transform}>${escape(content)}</text>`;
}

const line = (x1, y1, x2, y2, color, extra = '') =>
  `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${color}" ${extra}/>`;

function compact(value) {
  if (value >= 1e6) return `${+(value / 1e6).toPrecision(3)}M`;
  if (value >= 1e3) return `${+(value / 1e3).toPrecision(3)}k`;
  return String(+value.toPrecision(3));
}

const depthLabel = (depth) => (depth >= 1000 ? `${depth / 1000}k` : String(depth));

/** Left panel: µs per event against depth, both axes logarithmic (depth 0 drawn one decade left of 1k). */
function costPanel(results, box) {
  const parts = [];
  const series = [];
  for (const library of ['wasm', 'tidal']) {
    const points = results.depths[library];
    series.push({ library, kind: 'total', dash: '', points: points.map((p) => [p.depth, p.totalP50]) });
    series.push({
      library,
      kind: 'call',
      dash: 'stroke-dasharray="5 4"',
      points: points.map((p) => [p.depth, p.callP50]),
    });
  }
  const depths = results.depths.wasm.map((p) => p.depth);
  const positiveDepths = depths.filter((d) => d > 0);
  const xOf = (depth) => Math.log10(depth > 0 ? depth : Math.min(...positiveDepths, 1000) / 10);
  const xMin = Math.min(...depths.map(xOf));
  const xMax = Math.max(...depths.map(xOf));
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter((v) => v > 0);
  const yMin = Math.floor(Math.log10(Math.min(...values, 1)));
  const yMax = Math.ceil(Math.log10(Math.max(...values, 10)));
  const px = (depth) => box.x + ((xOf(depth) - xMin) / (xMax - xMin || 1)) * box.width;
  const py = (value) => box.y + box.height - ((Math.log10(value) - yMin) / (yMax - yMin || 1)) * box.height;

  parts.push(
    text(box.x, box.y - 28, 'Main-thread cost per sendEvent vs queue depth (median, log–log)', {
      size: 14,
      weight: 'bold',
    }),
  );
  for (let decade = yMin; decade <= yMax; decade++) {
    const y = py(10 ** decade);
    parts.push(line(box.x, y, box.x + box.width, y, '#e3e3e3'));
    parts.push(text(box.x - 6, y + 4, `${compact(10 ** decade)} µs`, { anchor: 'end', size: 11, color: '#555' }));
  }
  for (const depth of depths) {
    const x = px(depth);
    parts.push(line(x, box.y, x, box.y + box.height, '#eeeeee'));
    parts.push(text(x, box.y + box.height + 16, depthLabel(depth), { anchor: 'middle', size: 11, color: '#555' }));
  }
  parts.push(
    text(box.x + box.width / 2, box.y + box.height + 34, 'events already queued', { anchor: 'middle', size: 12 }),
  );
  parts.push(line(box.x, box.y + box.height, box.x + box.width, box.y + box.height, '#333'));
  parts.push(line(box.x, box.y, box.x, box.y + box.height, '#333'));

  const target = 3;
  if (target >= 10 ** yMin && target <= 10 ** yMax) {
    const y = py(target);
    parts.push(line(box.x, y, box.x + box.width, y, COLORS.target, 'stroke-dasharray="2 3"'));
    parts.push(text(box.x + box.width - 4, y - 4, 'target 3 µs', { anchor: 'end', size: 10, color: COLORS.target }));
  }
  for (const s of series) {
    const drawn = s.points.filter(([, v]) => v > 0);
    const path = drawn.map(([d, v], i) => `${i ? 'L' : 'M'}${px(d).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${COLORS[s.library]}" stroke-width="2.2" ${s.dash}/>`);
    for (const [d, v] of drawn) {
      parts.push(`<circle cx="${px(d).toFixed(1)}" cy="${py(v).toFixed(1)}" r="3.2" fill="${COLORS[s.library]}"/>`);
      if (s.kind === 'total') {
        parts.push(text(px(d) + 5, py(v) - 6, compact(v), { size: 10, color: COLORS[s.library] }));
      }
    }
  }
  // Legend.
  const legend = [
    ['wasm', '', 'this package: incl. deferred work'],
    ['wasm', 'stroke-dasharray="5 4"', 'this package: sendEvent call'],
    ['tidal', '', 'TIDAL 2.4.1: incl. deferred work'],
    ['tidal', 'stroke-dasharray="5 4"', 'TIDAL 2.4.1: sendEvent call'],
  ];
  legend.forEach(([library, dash, label], i) => {
    const y = box.y + 8 + i * 16;
    parts.push(line(box.x + 10, y, box.x + 36, y, COLORS[library], `stroke-width="2.2" ${dash}`));
    parts.push(text(box.x + 42, y + 4, label, { size: 11 }));
  });
  return parts.join('\n');
}

/** Right panel: drain rate bars with the 5,000 events/s target. */
function drainPanel(results, box) {
  const parts = [];
  const median = (runs) => {
    const values = runs
      .map((r) => r.steadyRate)
      .filter((v) => Number.isFinite(v))
      .sort((a, b) => a - b);
    if (!values.length) return 0;
    const m = values.length >> 1;
    return values.length % 2 ? values[m] : (values[m - 1] + values[m]) / 2;
  };
  const middle = (values) => median(values.map((steadyRate) => ({ steadyRate })));
  const bars = [
    ['this package', '1 in flight', 'wasm', median(results.drain.wasm)],
    ['this package', '4 in flight', 'wasm', median(results.drain.wasmParallel)],
    ['TIDAL 2.4.1', '1 in flight', 'tidal', median(results.drain.tidal)],
    ['bare fetch', '1 in flight', 'reference', middle(results.fetchCeiling.one)],
    ['bare fetch', '4 in flight', 'reference', middle(results.fetchCeiling.four)],
  ];
  const target = 5000;
  const top = Math.max(target, ...bars.map((b) => b[3])) * 1.15;
  const py = (value) => box.y + box.height - (value / top) * box.height;
  const events = (results.drain.wasm[0]?.events ?? 0).toLocaleString('en-US');
  parts.push(
    text(box.x, box.y - 28, `Drain of ${events} stored events, events/s (median)`, { size: 13, weight: 'bold' }),
  );
  parts.push(
    text(box.x, box.y - 12, 'grey: a bare fetch loop with the same bodies, no producer', { size: 10, color: '#555' }),
  );
  parts.push(line(box.x, box.y + box.height, box.x + box.width, box.y + box.height, '#333'));
  const slot = box.width / bars.length;
  bars.forEach(([name, detail, library, value], i) => {
    const x = box.x + i * slot + slot * 0.12;
    const width = slot * 0.76;
    const y = py(value);
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${(box.y + box.height - y).toFixed(1)}" fill="${COLORS[library]}"/>`,
    );
    parts.push(
      text(x + width / 2, y - 5, Math.round(value).toLocaleString('en-US'), {
        anchor: 'middle',
        size: 11,
        weight: 'bold',
      }),
    );
    parts.push(text(x + width / 2, box.y + box.height + 16, name, { anchor: 'middle', size: 10 }));
    parts.push(text(x + width / 2, box.y + box.height + 30, detail, { anchor: 'middle', size: 10, color: '#555' }));
  });
  const y = py(target);
  parts.push(line(box.x, y, box.x + box.width, y, COLORS.target, 'stroke-dasharray="2 3"'));
  parts.push(text(box.x + box.width, y - 4, 'target 5,000/s', { anchor: 'end', size: 10, color: COLORS.target }));
  return parts.join('\n');
}

export function renderChart(results) {
  const m = results.machine;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">
<rect width="100%" height="100%" fill="#fff"/>
${costPanel(results, { x: 80, y: 60, width: 500, height: 300 })}
${drainPanel(results, { x: 650, y: 60, width: 390, height: 300 })}
${text(WIDTH / 2, HEIGHT - 12, `headless ${m.chromium.replace(/ built on.*/, '')}, ${m.cores} × ${m.cpu}, ${m.date.slice(0, 10)}${m.quick ? ' (quick run)' : ''}`, { anchor: 'middle', size: 10, color: '#666' })}
</svg>
`;
}
