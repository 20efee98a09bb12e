"""The web console's files, served by the API itself from the deployment package (docs/deploy.md, "One domain").

`make console` builds console/src into chalicelib/console_assets/: files named by a hash of their content and a
manifest listing them. The page (`GET /console`) is rendered here with the deployment's settings for the browser
(sign-in endpoints, time zone, language) and a strict Content-Security-Policy: scripts, styles and fonts only from
this origin, no inline code, no eval, Trusted Types required (no string reaches an HTML or script sink), no
framing. The one policy allowed is the console's `default` (console/src/trusted_types.js): it lets through the
empty string only (the chart library clears its container with `innerHTML = ""`) and refuses any other HTML. The only other origins named are the photo bucket's (presigned uploads and views), the identity
provider's token endpoint (the code exchange of the sign-in) and, in a deployed stage whose county file names a
base map, that tile service's origin for images.
"""
from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

ASSETS = Path(__file__).parent / "console_assets"
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".svg": "image/svg+xml", ".json": "application/json; charset=utf-8",
                 ".txt": "text/plain; charset=utf-8", ".webmanifest": "application/manifest+json; charset=utf-8"}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"      # the phone page's service worker: one URL, a new version with each build
# local/sign_in.py's endpoints (paths, not secrets)
LOCAL_SIGN_IN = {"authorize": "local-issuer/authorize", "token": "local-issuer/token"}  # nosec B105


@functools.lru_cache(maxsize=1)
def manifest() -> dict:
    return json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))


def asset(name: str) -> tuple[str, str, str] | None:
    """(text, content type, cache control) of a built file the manifest lists, else None: nothing else is read.
    Every file is named by a hash of its content except the phone page's service worker."""
    if name not in manifest()["files"]:
        return None
    cache = REVALIDATE if name == manifest()["phone"]["worker"] else IMMUTABLE
    return (ASSETS / name).read_text(encoding="utf-8"), CONTENT_TYPES[Path(name).suffix], cache


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sign_in(config, environ=os.environ, stage: str | None = None) -> dict | None:
    """Where the browser signs in (authorization code + PKCE), or None when no issuer is configured.

    Paths without a scheme are relative to the console's own base (the local stage's issuer, local/sign_in.py,
    exists only under `make run`)."""
    from chalicelib import settings
    stage = settings.STAGE if stage is None else stage
    if stage == "local":
        return {**LOCAL_SIGN_IN, "client_id": environ.get("AUTH_AUDIENCE", ""), "scope": "openid", "local": True}
    oidc = config.spec.deployment.auth.oidc
    if oidc is not None:
        if not (oidc.authorization_endpoint and oidc.token_endpoint):
            return None
        return {"authorize": oidc.authorization_endpoint, "token": oidc.token_endpoint,
                "logout": oidc.end_session_endpoint or "", "client_id": oidc.audience, "scope": "openid profile"}
    hosted = environ.get("AUTH_SIGN_IN_URL")      # the user pool's domain (infra/console.py)
    if not (hosted and environ.get("AUTH_AUDIENCE")):
        return None
    return {"authorize": f"{hosted}/oauth2/authorize", "token": f"{hosted}/oauth2/token", "logout": f"{hosted}/logout",
            "client_id": environ["AUTH_AUDIENCE"], "scope": "openid profile"}


def base_map(config, stage: str | None = None) -> dict | None:
    """The county's tiles for the console's maps, key filled in; none in the local stage (offline)."""
    from chalicelib import settings
    spec = config.spec.console.map
    if spec is None or (settings.STAGE if stage is None else stage) == "local":
        return None
    return {"url": spec.url.replace("{key}", spec.key or ""), "attribution": spec.attribution}


def settings_for_browser(config, stage: str | None = None) -> dict:
    return {"sign_in": sign_in(config, stage=stage), "timezone": config.spec.calendar.timezone,
            "language": config.spec.language, "county": config.name, "base_map": base_map(config, stage),
            "vocabulary": vocabulary()}


def vocabulary() -> dict:
    """The domain's words the screens list, from their one definition (console/src/vocabulary.js reads them)."""
    from typing import get_args

    from chalicelib.domain import access, commands, photos, roles
    from chalicelib.domain.vocabulary import Attention, Status, Urgency, Verdict
    return {"statuses": [s.value for s in Status], "attentions": [a.value for a in Attention],
            "urgencies": [u.value for u in reversed(Urgency)],   # the default (normal) first
            "photo_types": list(photos.ALLOWED_TYPES), "scores": list(commands.Scores.model_fields),
            "verdicts": [v.value for v in Verdict],
            "decisions": list(get_args(commands.AppealDecision.model_fields["decision"].annotation)),
            "role_places": {role: access.place_attribute(role) for role in roles.ALL_ROLES}}


@functools.lru_cache(maxsize=1)
def photo_origins() -> tuple[str, ...]:
    """The bucket's origins as the browser meets them: the presigned POST's and the presigned GET's (signing only,
    no request is sent)."""
    from chalicelib import runtime
    store = runtime.photo_store()
    return tuple(dict.fromkeys([_origin(store.upload_form("incoming/x", "image/jpeg", 1, 60)["url"]),
                                _origin(store.view_url("photos/x", 60))]))


def content_security_policy(settings: dict, photos: tuple[str, ...]) -> str:
    token = settings["sign_in"]["token"] if settings["sign_in"] else ""
    identity = [_origin(token)] if "://" in token else []
    tiles = [_origin(settings["base_map"]["url"])] if settings.get("base_map") else []
    sources = {
        "default-src": ["'none'"], "script-src": ["'self'"], "style-src": ["'self'"], "font-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *photos, *tiles], "connect-src": ["'self'", *photos, *identity],
        "manifest-src": ["'self'"], "worker-src": ["'self'"], "base-uri": ["'none'"], "form-action": ["'self'"],
        "frame-ancestors": ["'none'"], "require-trusted-types-for": ["'script'"], "trusted-types": ["default"],
    }
    return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in sources.items())


def page_headers(csp: str) -> dict:
    return {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": csp, "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
            "Cross-Origin-Opener-Policy": "same-origin"}


def page(settings: dict, phone: bool = False) -> str:
    """The console's page (`/console`), or the grid member's phone page (`/console/phone`): the built entry script
    and stylesheet, the settings as a JSON data block (never run); the phone page adds its web app manifest and
    names its service worker. File addresses are relative to the page (the console's files are in `console/`)."""
    built = manifest()
    entry, css, extra, title, files = built["entry"], built["css"], "", "Gridloop", "console/"
    if phone:
        entry, css, title, files = built["phone"]["entry"], built["phone"]["css"], "Gridloop 网格员", ""
        extra = (f'<link rel="manifest" href="{built["phone"]["webmanifest"]}">\n'
                 '<meta name="theme-color" content="#0b5cad">\n'
                 f'<link rel="gridloop-worker" href="{built["phone"]["worker"]}">\n')
    data = json.dumps(settings, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026")
    language = {"zh": "zh-CN", "en": "en"}.get(settings["language"], "zh-CN")
    return (f'<!doctype html>\n<html lang="{language}" dir="ltr">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{title}</title>\n'
            f'<link rel="icon" href="{files}{built["icon"]}" type="image/svg+xml">\n'
            f'<link rel="stylesheet" href="{files}{css}">\n{extra}'
            f'<script type="application/json" id="gridloop-settings">{data}</script>\n'
            f'<script type="module" src="{files}{entry}"></script>\n'
            '</head>\n<body>\n<div id="app"><p class="loading">…</p></div>\n'
            '<noscript>Gridloop needs JavaScript. / 请启用 JavaScript。</noscript>\n</body>\n</html>\n')
