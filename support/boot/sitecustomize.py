"""Checks the calls of a subprocess against the grants, as the test process checks its own.

Python imports this at start-up when PYTHONPATH names this directory; it acts only with GRIDLOOP_GRANTS_SINK (a
directory: each process writes its checks to <pid>.jsonl there) and GRIDLOOP_TEMPLATE (the synthesised template)
set. The e2e tier's `make run` fixture does both, so the local API server and the local worker are checked too.
"""
import os
import sys

if os.environ.get("GRIDLOOP_GRANTS_SINK"):
    sys.path.append(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    from support.grants import install_writing_to

    install_writing_to(os.environ["GRIDLOOP_GRANTS_SINK"], os.environ["GRIDLOOP_TEMPLATE"])
