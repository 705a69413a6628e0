"""``python -m embedlab.serve [OPTIONS]``: the same as ``embedlab serve``, with its error lines."""

from __future__ import annotations

import os
import sys

import typer

from embedlab.cli.serve import serve
from embedlab.errors import EmbedlabError


def main() -> None:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command()(serve)
    try:
        app(standalone_mode=False)
    except EmbedlabError as exc:
        if os.environ.get("EMBEDLAB_DEBUG") == "1":
            raise
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
