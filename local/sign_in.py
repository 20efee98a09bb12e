"""The local stack's sign-in for the web console: a small OpenID provider over the demo people, local only.

The console signs in the same way everywhere (authorization code + PKCE, chalicelib/console.py); under `make run`
the provider is this module, served by the local API server beside the app (local/console_server.py). It is no
part of the app, so a deployed stage has no such pages: there the console goes to Cognito or the county's OIDC
provider.

- `GET /local-issuer/authorize?response_type=code&client_id&redirect_uri&state&code_challenge&
  code_challenge_method=S256`: a page listing the demo people; choosing one (`&user=<id>`) redirects to
  `redirect_uri?code=…&state=…`. The redirect must go back to this server (no open redirect).
- `POST /local-issuer/token` (form: grant_type=authorization_code, code, redirect_uri, client_id, code_verifier):
  the ID token of the chosen person, once per code, within a minute, only for the verifier whose SHA-256 is the
  challenge (RFC 7636), and a refresh token;
- `POST /local-issuer/token` (form: grant_type=refresh_token, refresh_token, client_id): a new ID token and a new
  refresh token; the one presented is spent (rotation, as a user pool with refresh-token rotation does): a second
  use is refused. Refresh tokens live in this process's memory for 30 days: a restart of `make run` forgets them.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import secrets
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from local.issuer import AUDIENCE, LocalIssuer

PREFIX = "/local-issuer/"
CODE_SECONDS = 60
REFRESH_SECONDS = 30 * 24 * 3600   # the user pool app client's default refresh token validity
TOKEN_SECONDS = 8 * 3600        # as the user pool's ID tokens (infra/stack.py)
CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
ROLE_ORDER = ("station", "dispatcher", "department", "leader", "admin", "points_evaluator", "clerk", "grid_member")
PAGE_CSP = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


class Answer:
    def __init__(self, status: int, body: str = "", content_type: str = "application/json", **headers):
        self.status, self.body = status, body
        self.headers = {"Content-Type": content_type, "Cache-Control": "no-store", **headers}


def _error(status: int, error: str, description: str) -> Answer:
    return Answer(status, json.dumps({"error": error, "error_description": description}))


class LocalSignIn:
    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir)
        self._issuer = None
        self._codes: dict[str, dict] = {}
        self._refresh: dict[str, dict] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_environment(cls) -> "LocalSignIn | None":
        keys = os.environ.get("AUTH_JWKS_FILE")
        return cls(Path(keys).parent) if os.environ.get("STAGE") == "local" and keys else None

    def people(self) -> list[dict] | None:
        """The demo people, as `make run` wrote them once the API answered (None before)."""
        path = self.state_dir / "tokens.json"
        return json.loads(path.read_text(encoding="utf-8"))["users"] if path.exists() else None

    def handle(self, method: str, target: str, host: str, body: bytes) -> Answer:
        parts = urlsplit(target)
        if method == "GET" and parts.path == PREFIX + "authorize":
            return self.authorize({k: v[0] for k, v in parse_qs(parts.query).items()}, host)
        if method == "POST" and parts.path == PREFIX + "token":
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            return self.token(form, host)
        return _error(404, "not_found", "no such page of the local sign-in")

    # -- the authorization endpoint ------------------------------------------------------------------------
    def _refusal(self, query: dict, host: str) -> str | None:
        if query.get("response_type") != "code":
            return "response_type must be code"
        if query.get("client_id") != AUDIENCE:
            return f"unknown client_id (this stack's is {AUDIENCE})"
        if query.get("code_challenge_method") != "S256" or not CHALLENGE.match(query.get("code_challenge", "")):
            return "a PKCE code_challenge (S256) is required"
        if not query.get("state"):
            return "state is required"
        redirect = urlsplit(query.get("redirect_uri", ""))
        if redirect.scheme != "http" or redirect.netloc != host or redirect.query or redirect.fragment:
            return "redirect_uri must be a page of this server"
        return None

    def authorize(self, query: dict, host: str) -> Answer:
        refusal = self._refusal(query, host)
        if refusal:
            return Answer(400, _page("Sign-in refused", f"<p>{html.escape(refusal)}</p>"), "text/html; charset=utf-8",
                          **{"Content-Security-Policy": PAGE_CSP})
        people = self.people()
        if people is None:
            return Answer(503, _page("Starting", "<p>The local stack is still starting: reload in a moment.</p>"),
                          "text/html; charset=utf-8", **{"Content-Security-Policy": PAGE_CSP, "Retry-After": "1"})
        chosen = query.pop("user", None)
        if chosen is None:
            return Answer(200, _page("选择演示用户 · Choose a demo person", _people_list(people, query)),
                          "text/html; charset=utf-8", **{"Content-Security-Policy": PAGE_CSP,
                                                         "Referrer-Policy": "no-referrer"})
        user = next((u for u in people if u["user_id"] == chosen), None)
        if user is None:
            return Answer(400, _page("Sign-in refused", "<p>No such demo person.</p>"), "text/html; charset=utf-8",
                          **{"Content-Security-Policy": PAGE_CSP})
        code = secrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._codes = {c: g for c, g in self._codes.items() if g["expires"] > now}
            self._codes[code] = {"user": user, "challenge": query["code_challenge"], "expires": now + CODE_SECONDS,
                                 "redirect_uri": query["redirect_uri"]}
        return Answer(302, "", "text/plain", Location=query["redirect_uri"] + "?" + urlencode(
            {"code": code, "state": query["state"]}), **{"Referrer-Policy": "no-referrer"})

    # -- the token endpoint -----------------------------------------------------------------------------------
    def token(self, form: dict, host: str) -> Answer:
        if form.get("grant_type") not in ("authorization_code", "refresh_token"):
            return _error(400, "unsupported_grant_type", "only authorization_code and refresh_token")
        if form.get("client_id") != AUDIENCE:
            return _error(400, "invalid_client", "unknown client_id")
        if form["grant_type"] == "refresh_token":
            with self._lock:
                grant = self._refresh.pop(form.get("refresh_token", ""), None)    # spent, whatever follows
            if grant is None or grant["expires"] < time.time():
                return _error(400, "invalid_grant", "unknown, used or expired refresh token")
            return self._tokens(grant["user"])
        verifier = form.get("code_verifier", "")
        if not VERIFIER.match(verifier):
            return _error(400, "invalid_request", "code_verifier must be 43 to 128 unreserved characters")
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)    # once, whatever follows
        if grant is None or grant["expires"] < time.time():
            return _error(400, "invalid_grant", "unknown, used or expired code")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"] or form.get("redirect_uri") != grant["redirect_uri"]:
            return _error(400, "invalid_grant", "the code_verifier or redirect_uri does not match the authorization")
        return self._tokens(grant["user"])

    def _tokens(self, user: dict) -> Answer:
        """An ID token and a new refresh token for this person."""
        if self._issuer is None:
            self._issuer = LocalIssuer(self.state_dir).ensure_keys()
        token = self._issuer.token(user, ttl_seconds=TOKEN_SECONDS)
        refresh = secrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._refresh = {r: g for r, g in self._refresh.items() if g["expires"] > now}
            self._refresh[refresh] = {"user": user, "expires": now + REFRESH_SECONDS}
        return Answer(200, json.dumps({"id_token": token, "refresh_token": refresh, "token_type": "Bearer",
                                       "expires_in": TOKEN_SECONDS}))


def _people_list(people: list[dict], query: dict) -> str:
    sections = []
    for role in sorted({u["role"] for u in people}, key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 99):
        items = "".join(
            f'<li><a href="{html.escape(PREFIX + "authorize?" + urlencode({**query, "user": u["user_id"]}))}">'
            f'{html.escape(u.get("name") or u["user_id"])}</a> '
            f'<span>{html.escape(u["user_id"])} · {html.escape(u.get("department") or u.get("grid") or u.get("node") or "")}'
            f'</span></li>' for u in people if u["role"] == role)
        sections.append(f"<section><h2>{html.escape(role)}</h2><ul>{items}</ul></section>")
    return ("<p>本页只在本地演示环境 (make run) 中存在。 This page exists only in the local stack (make run): "
            "a deployed stage signs in with its identity provider.</p>" + "".join(sections))


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
            f'</head><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>')
