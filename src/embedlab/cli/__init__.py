"""The ``embedlab`` command line (typer): :data:`app` and the entry point :func:`main`."""

from __future__ import annotations

from embedlab.cli.main import app, main

__all__ = ["app", "main"]
