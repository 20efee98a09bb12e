"""Gridloop API: a thin entrypoint. Routes live in chalicelib/api blueprints; logic in chalicelib/services."""
from chalice import Chalice

from chalicelib import auth
from chalicelib.api import cases, households, meta, photos
from chalicelib.api.http import error_response, public_paths

app = Chalice(app_name="gridloop")
app.register_blueprint(meta.bp)
app.register_blueprint(cases.bp)
app.register_blueprint(households.bp)
app.register_blueprint(photos.bp)

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


# -- asynchronous work: SQS workers and the outbox relay (logic in chalicelib/workers.py) ---------------------
from chalice import Rate  # noqa: E402

from chalicelib import resources, workers  # noqa: E402


@app.on_sqs_message(queue_arn=resources.DEADLINES.arn(), batch_size=10, name="deadlines_worker")
def deadlines_worker(event):
    return workers.deadlines_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue_arn=resources.PHOTOS.arn(), batch_size=5, name="photos_worker")
def photos_worker(event):
    return workers.photos_batch(event.to_dict(), event.context)


@app.on_sqs_message(queue_arn=resources.NOTIFICATIONS.arn(), batch_size=10, name="notifications_worker")
def notifications_worker(event):
    return workers.notifications_batch(event.to_dict(), event.context)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="outbox_relay")
def outbox_relay(event):
    return workers.relay()
