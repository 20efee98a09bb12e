"""The console's base map from the county file (`console.map`): checked when the file loads, handed to the page
only in a deployed stage, and the page's CSP then lets images come from that tile service's origin and no other."""
import copy

import pytest
import yaml

from chalicelib import console
from chalicelib.county_config import COUNTIES_DIR, ConfigError, parse

TIANDITU = ("https://t0.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default"
            "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}")


@pytest.fixture(scope="module")
def yuli_raw():
    return yaml.safe_load((COUNTIES_DIR / "yuli.yaml").read_text(encoding="utf-8"))


def with_map(raw, **spec):
    changed = copy.deepcopy(raw)
    changed["console"] = {"map": spec}
    return changed


def directives(policy: str) -> dict:
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


def test_a_tianditu_layer_loads_and_reaches_a_deployed_page_with_its_key_filled_in(yuli_raw):
    config = parse(with_map(yuli_raw, url=TIANDITU, key="abc123", attribution="天地图"))
    shown = console.base_map(config, stage="prod")
    assert shown["attribution"] == "天地图"
    assert shown["url"].endswith("TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=abc123")


@pytest.mark.parametrize("spec, problem", [
    ({"url": TIANDITU.replace("https:", "http:"), "key": "k", "attribution": "天地图"}, "https"),
    ({"url": TIANDITU.replace("{z}", "3"), "key": "k", "attribution": "天地图"}, "{z}"),
    ({"url": TIANDITU, "attribution": "天地图"}, "key"),                         # {key} but no key
    ({"url": TIANDITU.replace("&tk={key}", ""), "key": "k", "attribution": "天地图"}, "key"),
    ({"url": TIANDITU, "key": "k"}, "attribution"),
])
def test_a_tile_url_that_is_not_https_lacks_a_tile_placeholder_or_mismatches_its_key_is_refused(yuli_raw, spec,
                                                                                                 problem):
    with pytest.raises(ConfigError) as error:
        parse(with_map(yuli_raw, **spec))
    assert "console.map" in str(error.value) and problem in str(error.value)


def test_the_local_stage_draws_no_tiles_even_when_the_file_names_them(yuli_raw):
    config = parse(with_map(yuli_raw, url=TIANDITU, key="abc123", attribution="天地图"))
    assert console.base_map(config, stage="local") is None
    assert parse(yuli_raw).spec.console.map is None and console.base_map(parse(yuli_raw), stage="prod") is None


def test_the_policy_lets_images_come_from_the_tile_origin_only_and_nothing_else_from_it(yuli_raw):
    config = parse(with_map(yuli_raw, url=TIANDITU, key="abc123", attribution="天地图"))
    with_tiles = directives(console.content_security_policy(
        {"sign_in": None, "base_map": console.base_map(config, stage="prod")}, ("https://photos.example",)))
    without = directives(console.content_security_policy({"sign_in": None, "base_map": None},
                                                         ("https://photos.example",)))
    assert with_tiles["img-src"] == ["'self'", "data:", "blob:", "https://photos.example", "https://t0.tianditu.gov.cn"]
    assert without["img-src"] == ["'self'", "data:", "blob:", "https://photos.example"]
    assert {k: v for k, v in with_tiles.items() if k != "img-src"} == {k: v for k, v in without.items()
                                                                       if k != "img-src"}
