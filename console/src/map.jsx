// The grids drawn from the jurisdiction's GeoJSON as SVG paths, in Web Mercator, over the county's base layer of
// tiles where its file names one (a deployed stage; none locally: the machine is offline). A pin marks a case; a
// fill colours each grid by a figure.
import './basemap.css';
import { mercator, tileUrl, tilesFor } from './basemap.js';
import { t } from './i18n.js';
import { settings } from './settings.js';

let baseMap;
function baseLayer() {   // from the page's settings block (chalicelib/console.py)
  if (baseMap === undefined) {
    baseMap = settings().base_map || null;
  }
  return baseMap;
}

function bounds(features, points) {
  const all = [...features.flatMap((f) => f.geometry.coordinates[0]), ...points].map(mercator);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

export function GridMap({ features, pin, label, fill, width = 320, height = 220, onPick }) {
  if (!features.length) return null;
  const [x0, y0, x1, y1] = bounds(features, pin ? [[pin.lon, pin.lat]] : []);
  const scale = Math.min((width - 20) / ((x1 - x0) || 1e-9), (height - 20) / ((y1 - y0) || 1e-9));
  const at = (p) => { const [x, y] = mercator(p); return [10 + (x - x0) * scale, 10 + (y - y0) * scale]; };
  const path = (f) => `M${f.geometry.coordinates[0].map((p) => at(p).map((v) => v.toFixed(1)).join(',')).join('L')}Z`;
  const base = baseLayer();
  const visible = [x0 - 10 / scale, y0 - 10 / scale, x0 + (width - 10) / scale, y0 + (height - 10) / scale];
  return (
    <svg class="grid-map" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      {base && (
        <g class="base-layer" aria-hidden="true">
          {tilesFor(visible, width).map((tile) => (
            <image href={tileUrl(base.url, tile)} x={10 + (tile.box[0] - x0) * scale} y={10 + (tile.box[1] - y0) * scale}
              width={tile.box[2] * scale} height={tile.box[2] * scale} preserveAspectRatio="none" />))}
        </g>)}
      {features.map((f) => (
        <path d={path(f)} class={`grid-shape ${fill ? fill(f) : ''}`} data-code={f.id}
          onClick={onPick ? () => onPick(f.id) : undefined}>
          <title>{f.title || f.id}</title>
        </path>))}
      {pin && (() => { const [x, y] = at([pin.lon, pin.lat]); return (
        <g class="pin"><circle cx={x} cy={y} r="6" /><title>{t('case.location')}</title></g>); })()}
      {base && <text class="attribution" x={width - 4} y={height - 4} text-anchor="end">{base.attribution}</text>}
    </svg>
  );
}
