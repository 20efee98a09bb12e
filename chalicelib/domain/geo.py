"""Which grid a point lies in (ray casting over the configured GeoJSON boundaries) and public rounding."""


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


def locate_grid(lat: float, lon: float, boundaries: list[tuple[str, list]]) -> str | None:
    return next((code for code, rings in boundaries if in_polygon(lon, lat, rings)), None)


def round_public(value: float) -> float:
    """Three decimals: about 110 m of latitude, the precision a public listing shows."""
    return round(value, 3)
