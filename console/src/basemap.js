// A base layer of map tiles under the grids (a deployed stage whose county file names one, e.g. Tianditu WMTS;
// never locally: the machine is offline). Web Mercator, as every tile service in China and elsewhere serves it.
// The page's CSP lets images come from that one origin only (chalicelib/console.py).

const TILE = 256;

// lon/lat -> the world in [0, 1] x [0, 1] (Web Mercator), north up
export function mercator([lon, lat]) {
  const s = Math.sin((Math.max(Math.min(lat, 85.05), -85.05) * Math.PI) / 180);
  return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
}

// The tiles covering world box [x0, y0, x1, y1] when it is drawn `pixels` wide: [{z, x, y, box}], box in world units
export function tilesFor([x0, y0, x1, y1], pixels, maxZoom = 18) {
  const z = Math.max(1, Math.min(maxZoom, Math.floor(Math.log2(pixels / TILE / ((x1 - x0) || 1e-9)))));
  const n = 2 ** z;
  const tiles = [];
  for (let x = Math.floor(x0 * n); x <= Math.floor(x1 * n); x += 1) {
    for (let y = Math.floor(y0 * n); y <= Math.floor(y1 * n); y += 1) {
      tiles.push({ z, x, y, box: [x / n, y / n, 1 / n] });
    }
  }
  return tiles.length <= 64 ? tiles : [];   // a mistaken zoom never floods the tile server
}

// the tile's address from the county's template: {z} {x} {y} (WMTS: TILEMATRIX={z}&TILEROW={y}&TILECOL={x})
export function tileUrl(template, { z, x, y }) {
  return template.replace('{z}', z).replace('{x}', x).replace('{y}', y);
}
