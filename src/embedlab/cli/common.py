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

ModelOpt = Annotated[
    str, typer.Option("--model", "-m", help="Registry name, local path or hub id.")
]
