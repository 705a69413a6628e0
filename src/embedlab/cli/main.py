"""The ``embedlab`` typer app, its commands in ``--help`` order, and the entry point.

Every user error is one line on stderr (``error: ...``) and exit code 2; no tracebacks unless
``EMBEDLAB_DEBUG=1``; a file system error (``OSError``) that no library call turned into a
message is one line and exit code 2 too. An interrupt exits with 130, running out of memory
with 1.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

import typer

from embedlab.cli import common
from embedlab.cli.align import align
from embedlab.cli.demo import demo
from embedlab.cli.drift import drift
from embedlab.cli.encode import encode
from embedlab.cli.evaluate import compress, eval_command
from embedlab.cli.export import export
from embedlab.cli.graph import train_graph
from embedlab.cli.models import models
from embedlab.cli.recommend import recommend_app
from embedlab.cli.search import index_app, search
from embedlab.cli.serve import serve
from embedlab.cli.train import distill, finetune, mine, train_static
from embedlab.cli.typos import typos
from embedlab.errors import EmbedlabError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Encode, evaluate and search with embedding models, offline, on a CPU.",
)
app.command()(models)
app.command()(encode)
app.command("eval")(eval_command)
app.command()(compress)
app.command()(export)
app.command()(finetune)
app.command()(mine)
app.command("train-static")(train_static)
app.command("train-graph")(train_graph)
app.command()(distill)
app.command()(align)
app.command()(drift)
app.command()(demo)
app.add_typer(index_app, name="index", help="Build and change a search index.")
app.command("search")(search)
app.command("serve")(serve)
app.add_typer(recommend_app, name="recommend")
app.command()(typos)


def _quiet_libraries() -> None:
    """Keep library chatter (weight-loading bars, config notices) off the terminal."""
    warnings.filterwarnings("ignore")
    for name in ("transformers", "sentence_transformers", "model2vec", "huggingface_hub",
                 "gensim", "onnxruntime"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning every user error into one line and exit code 2."""
    _quiet_libraries()
    common.interrupt_note = ""
    debug = os.environ.get("EMBEDLAB_DEBUG") == "1"
    try:
        code = app(args=argv, standalone_mode=False)  # returns typer.Exit's code here
    except EmbedlabError as exc:
        if debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        _interrupted()
    except typer.TyperException as exc:  # usage errors: bad option values, missing arguments
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        print(f"error: {' '.join(message.split())}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        _interrupted()
    except OSError as exc:  # a file system error no library call turned into a message
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        sys.exit(2)
    except MemoryError:
        print("error: out of memory; try a smaller --batch-size", file=sys.stderr)
        sys.exit(1)
    if code == 130:  # typer turns Ctrl+C inside a command into a bare exit code 130
        _interrupted()
    if isinstance(code, int) and code:
        sys.exit(code)


def _interrupted() -> None:
    note = f"; {common.interrupt_note}" if common.interrupt_note else ""
    print(f"error: interrupted{note}", file=sys.stderr)
    sys.exit(130)
