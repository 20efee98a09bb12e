"""Public routes about the API itself."""
from chalice import Blueprint

from chalicelib.api import openapi
from chalicelib.api.http import route

bp = Blueprint(__name__)


@route(bp, "/openapi.json", "GET", "This API's OpenAPI 3 document", "meta", public=True)
def openapi_document():
    return openapi.document()


@route(bp, "/health", "GET", "Liveness: the API answers (touches no data)", "meta", public=True)
def health():
    return {"status": "ok"}
