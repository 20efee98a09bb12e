"""Which grid a point lies in (ray casting over the configured GeoJSON boundaries), how far outside one it lies,
and public rounding."""
import math

METRES_PER_DEGREE = 6_371_000 * math.pi / 180   # of latitude (a sphere is close enough for hundreds of metres)


def _inside(lon: float, lat: float, ring: list) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        if (y1 > lat) != (y2 > lat):
            crossing = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < crossing:
                inside = not inside
    return inside


def in_polygon(lon: float, lat: float, rings: list) -> bool:
    """GeoJSON polygon: inside the outer ring and outside every hole."""
    return _inside(lon, lat, rings[0]) and not any(_inside(lon, lat, hole) for hole in rings[1:])


def metres_outside(lat: float, lon: float, rings: list) -> float:
    """0 inside the polygon; otherwise the distance to its nearest edge, on a local flat projection."""
    if in_polygon(lon, lat, rings):
        return 0.0
    kx, ky = METRES_PER_DEGREE * math.cos(math.radians(lat)), METRES_PER_DEGREE
    nearest = math.inf
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            ax, ay, bx, by = (x1 - lon) * kx, (y1 - lat) * ky, (x2 - lon) * kx, (y2 - lat) * ky
            dx, dy = bx - ax, by - ay
            t = min(1.0, max(0.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy))) if dx or dy else 0.0
            nearest = min(nearest, math.hypot(ax + t * dx, ay + t * dy))
    return nearest


def locate_grid(lat: float, lon: float, boundaries: list[tuple[str, list]]) -> str | None:
    return next((code for code, rings in boundaries if in_polygon(lon, lat, rings)), None)


def round_public(value: float) -> float:
    """Three decimals: about 110 m of latitude, the precision a public listing shows."""
    return round(value, 3)
