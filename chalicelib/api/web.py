"""The web console's files, from the same origin as the API (chalicelib/console.py). Public (the page signs in
itself) and bounded: only the files the build's manifest lists, each read from the deployment package."""
from chalice import Blueprint, Response

from chalicelib import console, runtime
from chalicelib.api.http import ApiError, route

bp = Blueprint(__name__)
TAG = "console"
TEXT = {"schema": {"type": "string"}}


@route(bp, "/", "GET", "The web console's address: a redirect to /console", TAG, public=True, success=302,
       responses={"text/plain": TEXT})
def root():
    return Response(body="", status_code=302, headers={"Location": "console", "Content-Type": "text/plain",
                                                       "Cache-Control": "no-cache"})


@route(bp, "/console", "GET", "The web console (one HTML page; it signs in with authorization code + PKCE)", TAG,
       public=True, responses={"text/html": TEXT})
def console_page():
    settings = console.settings_for_browser(runtime.config())
    csp = console.content_security_policy(settings, console.photo_origins())
    return Response(body=console.page(settings), status_code=200, headers=console.page_headers(csp))


@route(bp, "/console/phone", "GET", "The grid member's phone page (an installable web app; same sign-in as the "
       "console)", TAG, public=True, responses={"text/html": TEXT})
def phone_page():
    settings = console.settings_for_browser(runtime.config())
    csp = console.content_security_policy(settings, console.photo_origins())
    return Response(body=console.page(settings, phone=True), status_code=200, headers=console.page_headers(csp))


@route(bp, "/console/{asset}", "GET", "A file of the web console, named by a hash of its content (cached for a year)",
       TAG, public=True, responses={"text/javascript": TEXT, "text/css": TEXT, "image/svg+xml": TEXT,
                                    "application/json": TEXT, "application/manifest+json": TEXT})
def console_asset(asset):
    found = console.asset(asset)
    if found is None:
        raise ApiError(404, "not_found", "no such file of the console")
    text, content_type, cache = found
    return Response(body=text, status_code=200, headers={
        "Content-Type": content_type, "Cache-Control": cache, "X-Content-Type-Options": "nosniff"})
