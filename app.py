"""Gridloop API: a thin entrypoint. Routes live in chalicelib/api blueprints; logic in chalicelib/services."""
from chalice import Chalice

from chalicelib import auth
from chalicelib.api import cases, households, meta
from chalicelib.api.http import error_response, public_paths

app = Chalice(app_name="gridloop")
app.register_blueprint(meta.bp)
app.register_blueprint(cases.bp)
app.register_blueprint(households.bp)

PUBLIC = public_paths()


@app.middleware("http")
def authenticate(event, get_response):
    """Every route passes here: a verified bearer token, or one of the few public routes."""
    if (event.path, event.method) in PUBLIC:
        return get_response(event)
    try:
        event.context["gridloop_principal"] = auth.verify(event.headers.get("authorization"))
    except auth.Unauthenticated as exc:
        return error_response(401, "unauthenticated", str(exc))
    return get_response(event)
