"""Serving: an OpenAI-compatible embedding and search server with batching, limits and metrics.

``create_app(embedder, index=..., settings=ServeSettings(...))`` builds the FastAPI app;
``embedlab serve`` (:func:`embedlab.serve.server.run_server`) loads a model and runs it with
uvicorn. Importing this package does not import FastAPI; the names below load on first use.
"""

from __future__ import annotations

from typing import Any

from embedlab.serve.settings import ServeSettings

__all__ = ["ServeSettings", "create_app"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    """See :func:`embedlab.serve.app.create_app`."""
    from embedlab.serve.app import create_app as _create_app

    return _create_app(*args, **kwargs)
