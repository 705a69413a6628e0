"""Progress bars on stderr (rich), so stdout stays clean for data and JSON."""

from __future__ import annotations

from typing import Any


class progress_bar:
    """A rich progress bar that does nothing when disabled; yields an ``advance(n)`` callable."""

    def __init__(self, enabled: bool, total: int, description: str) -> None:
        self.enabled = enabled and total > 0
        self.total = total
        self.description = description
        self._progress: Any = None

    def __enter__(self):  # noqa: ANN204
        if not self.enabled:
            return lambda n: None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        task = self._progress.add_task(self.description, total=self.total)
        return lambda n: self._progress.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
