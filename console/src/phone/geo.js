// Which of the member's grids holds a point: the even-odd rule on each grid's outer ring (GeoJSON Polygon,
// [lon, lat] pairs). The server checks again with its tolerance; this only preselects.
function contains(ring, lon, lat) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function gridAt(features, position) {
  if (!position) return null;
  const found = features.find((f) => contains(f.geometry.coordinates[0], position.lon, position.lat));
  return found ? found.id : null;
}

// the phone's position once, or null (refused, unavailable, or too slow)
export function currentPosition(timeout = 15000) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => resolve(null), { enableHighAccuracy: true, timeout, maximumAge: 60000 });
  });
}
