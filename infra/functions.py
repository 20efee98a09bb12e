"""The app's Lambda functions (named in chalicelib/entrypoints.py) as Chalice's SAM template names them."""
from __future__ import annotations

from chalicelib.entrypoints import API_HANDLER


def logical_id(function: str) -> str:
    """Chalice's logical id of a function in its SAM template."""
    return "APIHandler" if function == API_HANDLER else "".join(part.title() for part in function.split("_"))
