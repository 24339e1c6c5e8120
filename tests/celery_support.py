"""Switching the Celery app to another broker inside a test, and back, without leaving a
connection to the old one for the garbage collector (which would warn, and the warning fails
whichever test it lands in)."""

from __future__ import annotations

import gc

from kombu import pools

from config.celery import app


def rebind() -> None:
    """Close the app's connections and make it connect afresh to whatever broker and result
    store its settings now name (a socket left to the garbage collector would warn)."""
    pools.reset()  # closes and forgets kombu's connection and producer pools
    backend = app._backend_cache or getattr(app._local, "backend", None)
    if backend is not None and hasattr(backend, "result_consumer"):
        backend.result_consumer.stop()
        backend.client.connection_pool.disconnect()
    app._after_fork()  # drops the connection and producer pools
    app._backend_cache = None
    app._local.backend = None
    # Anything still unclosed is found here, in the test that switched brokers, not at random
    # in a later test when the garbage collector happens to run.
    gc.collect()
