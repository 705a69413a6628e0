"""``embedlab recommend ...``: fit a hybrid recommender, ask it, grow its catalogue.

``recommend fit`` writes a model folder; ``recommend DIR --user U`` (also spelled ``recommend
query DIR ...``: a first argument that is not a subcommand is a folder to query) answers;
``recommend add-items DIR FILE`` adds items without refitting. Each is a few lines over
:mod:`embedlab.recommend.files`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import click
import typer
from rich.table import Table
from typer.core import TyperGroup

from embedlab.cli.common import err, out
from embedlab.named_models import DEFAULT_MODEL


class _QueryByDefault(TyperGroup):
    """``recommend DIR ...`` is ``recommend query DIR ...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["query", *args]
        return super().parse_args(ctx, args)


recommend_app = typer.Typer(
    cls=_QueryByDefault,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Hybrid content + collaborative recommendation (new items and users included).",
)

DirArg = Annotated[str, typer.Argument(help="The recommender folder.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


@recommend_app.command("fit")
def fit(
    interactions: Annotated[str, typer.Option(help="user,item[,rating][,timestamp] file "
                                              "(CSV/TSV/parquet, u.data, ratings.csv, .inter).")],
    out_dir: Annotated[str, typer.Option("--out", "-o", help="The model folder to create.")],
    items: Annotated[str | None, typer.Option(help="Item catalogue (default: the one beside a "
                                              "MovieLens or RecBole file).")] = None,
    model: Annotated[str, typer.Option("--model", "-m", help="Embedding model for the text "
                                       "fields.")] = DEFAULT_MODEL,
    fields: Annotated[str | None, typer.Option(help="Item fields, each NAME[:METHOD[:WEIGHT]], "
                                               "METHOD model|words|category (default: title, "
                                               "genres, description found).")] = None,
    min_rating: Annotated[float | None, typer.Option(help="Keep interactions rated at least "
                                                     "this.")] = None,
    alpha: Annotated[float | None, typer.Option(min=0, max=1, help="Content weight (default: "
                                                "tuned on a validation split).")] = None,
    profile: Annotated[str, typer.Option(help="User content profile: mean, recency, "
                                         "attention.")] = "mean",
    factors: Annotated[int, typer.Option(min=1, help="Collaborative factors.")] = 64,
    iterations: Annotated[int, typer.Option(min=1, help="ALS iterations.")] = 20,
    algorithm: Annotated[str, typer.Option(help="als or bpr.")] = "als",
    quiet: QuietOpt = False,
) -> None:
    """Fit a recommender on interactions and an item catalogue; write it to --out."""
    from embedlab.recommend.files import fit_files

    summary = fit_files(interactions, items, model, out_dir, fields=fields,
                        min_rating=min_rating, alpha=alpha, profile=profile, factors=factors,
                        iterations=iterations, algorithm=algorithm, progress=not quiet)
    err.print(f"loaded {summary['loaded']}")
    err.print(f"wrote {summary['out']}: {summary['items']} items ({summary['warm_items']} with "
              f"interactions), {summary['users']} users, alpha {summary['alpha_warm']:g} "
              f"(items without interactions {summary['alpha_cold']:g}), "
              f"{summary['seconds']:.1f} s")


@recommend_app.command("query")
def query(
    folder: DirArg,
    user: Annotated[str | None, typer.Option(help="A user of the training data.")] = None,
    item: Annotated[str | None, typer.Option(help="Items like this one.")] = None,
    history: Annotated[str | None, typer.Option(help="A new user's items, oldest first: "
                                                "I1,I2,...")] = None,
    k: Annotated[int, typer.Option("-k", "--k", min=1, help="How many.")] = 10,
    exclude_seen: Annotated[bool, typer.Option(help="--user: leave out the user's items.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Recommend for a user, a history, or items like an item (no question: describe the
    model)."""
    from embedlab.recommend.files import ask
    from embedlab.recommend.store import load

    rec = load(folder)
    if user is None and item is None and history is None:  # no question: describe the model
        print(json.dumps(rec.describe(), ensure_ascii=False, indent=None if as_json else 2))
        return
    answer = ask(rec, user=user, item=item, k=k, exclude_seen=exclude_seen,
                 history=None if history is None else history.split(","))
    rows: list[dict[str, Any]] = [r.as_dict() for r in answer]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("#", "item", "score", "label")
    for rank, row in enumerate(rows, start=1):
        table.add_row(str(rank), row["item"], f"{row['score']:.3f}", row["label"])
    out.print(table)


@recommend_app.command("add-items")
def add_items(
    folder: DirArg,
    items: Annotated[str, typer.Argument(help="New items, with the fields the model uses.")],
    quiet: QuietOpt = False,
) -> None:
    """Add new items (scored from their content; no refitting); the folder changes at once."""
    from embedlab.recommend.files import add_item_file

    counts = add_item_file(folder, items, progress=not quiet)
    note = (f"; {counts['unknown_categories']} categories unknown to the model ignored"
            if counts["unknown_categories"] else "")
    err.print(f"added {counts['added']} items; {folder} now holds {counts['items']}{note}")
