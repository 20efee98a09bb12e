// The grids drawn from the jurisdiction's GeoJSON as SVG paths (no map tiles: the local machine is offline). A pin
// marks a case; a fill colours each grid by a figure (the dashboard's map).
import { t } from './i18n.js';

function bounds(features, points) {
  const all = [...features.flatMap((f) => f.geometry.coordinates[0]), ...points];
  const lons = all.map((p) => p[0]);
  const lats = all.map((p) => p[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

export function GridMap({ features, pin, label, fill, width = 320, height = 220, onPick }) {
  if (!features.length) return null;
  const [x0, y0, x1, y1] = bounds(features, pin ? [[pin.lon, pin.lat]] : []);
  const squeeze = Math.cos(((y0 + y1) / 2) * Math.PI / 180);     // a degree of longitude is shorter up north
  const scale = Math.min((width - 20) / (((x1 - x0) * squeeze) || 1e-6), (height - 20) / ((y1 - y0) || 1e-6));
  const at = ([lon, lat]) => [10 + (lon - x0) * squeeze * scale, height - 10 - (lat - y0) * scale];
  const path = (f) => `M${f.geometry.coordinates[0].map((p) => at(p).map((v) => v.toFixed(1)).join(',')).join('L')}Z`;
  return (
    <svg class="grid-map" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      {features.map((f) => (
        <path d={path(f)} class={`grid-shape ${fill ? fill(f) : ''}`} data-code={f.id}
          onClick={onPick ? () => onPick(f.id) : undefined}>
          <title>{f.title || f.id}</title>
        </path>))}
      {pin && (() => { const [x, y] = at([pin.lon, pin.lat]); return (
        <g class="pin"><circle cx={x} cy={y} r="6" /><title>{t('case.location')}</title></g>); })()}
    </svg>
  );
}
