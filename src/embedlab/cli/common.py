"""What every command module shares: the two consoles and the ``--model/-m`` option.

Results go to stdout (``out``), progress and "wrote ..." lines to stderr (``err``), so that
``--json`` output can be piped.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

out = Console()
err = Console(stderr=True)

#: what the "interrupted" line adds when Ctrl+C stops a command (set by commands whose work a
#: rerun picks up, e.g. from the vector cache)
interrupt_note = ""
RESUME_NOTE = ("the vectors encoded so far are in the vector cache: run the same command again "
               "to resume")



def note_resumable() -> None:
    """Say on Ctrl+C that a rerun resumes, where the vector cache is on."""
    from embedlab.embedders.cache import default_cache_dir

    global interrupt_note
    interrupt_note = RESUME_NOTE if default_cache_dir() is not None else ""


ModelOpt = Annotated[
    str, typer.Option("--model", "-m", help="Registry name, local path or hub id.")
]
