"""Run every model on every task: ``run_evaluation(models, tasks) -> list[Result]``.

All task specs are parsed (and their files read) before any model loads, so a bad layout fails
fast. Models are loaded one at a time, and each runs every task. A model that does not apply to
a task (``bm25`` on anything but retrieval) is skipped with a note on stderr (``on_skip``
receives the note instead when given); the table and report show its cell as "—". Reporting
(``results_table``, ``results_to_json``, ``write_report``) lives in :mod:`.report`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from embedlab.evaluate.base import NotApplicableError, model_name
from embedlab.evaluate.models import as_model
from embedlab.evaluate.results import Result
from embedlab.evaluate.tasks import Task, parse_task


def _note_on_stderr(message: str) -> None:
    from rich.console import Console

    Console(stderr=True).print(f"[yellow]note:[/yellow] {message}", highlight=False)


def evaluate_model(model: Any, task: Task, *, batch_size: int = 32,
                   progress: bool = False) -> Result:
    """Run one loaded model (see :func:`as_model`) on one task (NotApplicableError if it does
    not apply)."""
    model = as_model(model)
    evaluator = task.evaluator(batch_size=batch_size, progress=progress)
    start = time.perf_counter()
    scores = evaluator(model)
    seconds = time.perf_counter() - start
    metric = evaluator.primary_metric
    return Result(model=model_name(model), task=task.kind,
                  dataset=task.dataset, main_metric=metric, main_score=float(scores[metric]),
                  scores={k: float(v) for k, v in scores.items()}, seconds=round(seconds, 3),
                  points=getattr(evaluator, "points", None),
                  examples=list(getattr(evaluator, "examples", [])))


def run_evaluation(
    models: Sequence[Any],
    tasks: Sequence[str | Task],
    *,
    split: str | None = None,
    text_field: str | None = None,
    label_field: str | None = None,
    batch_size: int = 32,
    progress: bool = True,
    vocab_limit: int | None = None,
    load_options: dict[str, Any] | None = None,
    on_skip: Callable[[str], None] | None = None,
) -> list[Result]:
    """Evaluate each model (a name or a loaded model, see :func:`as_model`) on each task.

    ``tasks``: ``KIND:PATH`` specs (parsed with ``split``/``text_field``/``label_field``/
    ``vocab_limit``, see :func:`parse_task`) or :class:`Task` objects. Results come in model
    order, then task order; pairs that do not apply are left out (see the module docstring).
    """
    parsed = [t if isinstance(t, Task) else
              parse_task(t, split, text_field, label_field, vocab_limit=vocab_limit)
              for t in tasks]
    note = on_skip or _note_on_stderr
    results: list[Result] = []
    for entry in models:
        model = as_model(entry, **(load_options or {}))
        skipped: dict[str, list[str]] = {}
        for task in parsed:
            try:
                results.append(evaluate_model(model, task, batch_size=batch_size,
                                              progress=progress))
            except NotApplicableError as exc:
                skipped.setdefault(exc.reason, []).append(task.name)
        for reason, names in skipped.items():
            note(f"{model_name(model)} skipped on {', '.join(names)}: {reason}")
        del model
    return results
