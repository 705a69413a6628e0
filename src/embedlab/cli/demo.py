"""``embedlab demo``: the Lee corpus encoded and searched, then the model evaluated
(:mod:`embedlab.demo`)."""

from __future__ import annotations

from typing import Annotated

import typer

from embedlab.cli.common import ModelOpt, err, out
from embedlab.named_models import DEFAULT_MODEL


def demo(
    model: ModelOpt = DEFAULT_MODEL,
    k: Annotated[int, typer.Option("-k", "--top-k", min=1, help="Articles per query.")] = 3,
    evaluate: Annotated[bool, typer.Option("--eval/--no-eval", help="Also evaluate the model "
                                           "on WordSim-353, SimLex-999, analogies, Lee.")]
    = True,
) -> None:
    """Encode gensim's Lee news corpus and show the nearest articles for a few queries."""
    from embedlab.demo import DEMO_TASKS, run_demo
    from embedlab.evaluate import results_table, run_evaluation

    err.print(f"encoding the Lee corpus (300 news articles) with {model}...")
    for query, hits in run_demo(model, k=k):
        out.print(f"\n[bold]{query}[/bold]")
        for hit in hits:
            snippet = hit.text[:110] + ("..." if len(hit.text) > 110 else "")
            out.print(f"  {hit.rank}. {hit.score:.3f}  #{hit.doc:<3} {snippet}")
    if evaluate:
        err.print(f"\nevaluating {model} on data that gensim ships...")
        out.print(results_table(run_evaluation([model], list(DEMO_TASKS), progress=True)))
