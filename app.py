"""Gridloop API: a thin entrypoint. Routes live in chalicelib/api blueprints; logic in chalicelib/services."""
from chalicelib import cold_start

cold_start.begin()   # before anything else is imported: no garbage collection until the first invocation ends

from chalice import Chalice  # noqa: E402

from chalicelib import auth, entrypoints, logs  # noqa: E402
from chalicelib.api import admin, cases, households, meta, open311, photos, points, reference, reports, web  # noqa: E402
from chalicelib.api.gateway_answers import answer_like_the_gateway  # noqa: E402
from chalicelib.api.http import error_response, public_paths  # noqa: E402

# Chalice's own log handler would print every worker line a second time beside Powertools' JSON one
app = Chalice(app_name="gridloop", configure_logs=False)
logs.install()
app.register_blueprint(meta.bp)
app.register_blueprint(cases.bp)
app.register_blueprint(households.bp)
app.register_blueprint(photos.bp)
app.register_blueprint(reports.bp)
app.register_blueprint(points.bp)
app.register_blueprint(open311.bp)
app.register_blueprint(reference.bp)
app.register_blueprint(web.bp)
app.register_blueprint(admin.bp)

PUBLIC = public_paths()


@app.middleware("http")
def as_api_handler(event, get_response):
    """Registered first: every AWS call a request leads to is the API function's (chalicelib/entrypoints.py)."""
    with entrypoints.running_as(entrypoints.API_HANDLER):
        return get_response(event)


@app.middleware("http")
def gateway_answers(event, get_response):
    """Outermost but for the attribution above: an undefined method is 404 as in API Gateway; Chalice's errors in our shape."""
    return answer_like_the_gateway(event, get_response, app.routes)


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


# -- asynchronous work: the work queue's worker and the outbox relay (logic in chalicelib/workers.py) -------
# Workers are imported on first use: API cold starts do not pay for Powertools' batch and idempotency modules.
from chalice import Rate  # noqa: E402

from chalicelib import resources  # noqa: E402
from chalicelib.domain import workdays  # noqa: E402


def _calendar_fallback(year):
    from chalicelib import workers
    workers.calendar_fallback(year)


workdays.report_fallbacks_with(_calendar_fallback)


@app.on_sqs_message(queue_arn=resources.WORK.arn(), batch_size=resources.WORK.batch_size, name=resources.WORK.consumer)
def work_worker(event):
    """The one SQS worker: deadline notices, photo uploads and notifications, each record by its kind."""
    from chalicelib import workers
    return workers.work_batch(event.to_dict(), event.context)


@app.schedule(Rate(1, unit=Rate.MINUTES), name=entrypoints.OUTBOX_RELAY)
def outbox_relay(event):
    from chalicelib import workers
    return workers.relay()
