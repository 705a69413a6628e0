"""Fine-tune a transformer encoder on the user's data with sentence-transformers' trainer.

In: a model (registry name, folder or hub id), training data (see :mod:`.data`), an output
folder and a :class:`FinetuneConfig`. Out: the folder holding a sentence-transformers model
(loadable by ``embedlab.load(DIR)`` and by plain sentence-transformers) and ``report.md`` with
the ``--eval`` tasks scored before and after.

Batches never hold the same text twice (the NO_DUPLICATES sampler), the learning rate warms up
linearly then decays linearly, seeds are fixed. Work happens in ``DIR.partial/`` (checkpoints
there serve ``resume``); the finished model is moved to ``DIR`` in one rename, so ``DIR`` is
never half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from embedlab.errors import EmbedlabError
from embedlab.train.data import DataShape, TrainingData, read_training_data
from embedlab.train.losses import build_loss
from embedlab.train.mining import mine_hard_negatives


@dataclass
class FinetuneConfig:
    """Training settings; the defaults suit a few thousand pairs on a CPU."""

    loss: str | None = None
    epochs: float = 1.0
    learning_rate: float = 2e-5
    batch_size: int = 32
    warmup_ratio: float = 0.1
    temperature: float = 0.05
    margin: float | None = None
    mini_batch_size: int = 16
    matryoshka: list[int] | None = None
    hard_negatives: int = 0
    mining_source: str = "model"
    mining_range: tuple[int, int] = (10, 100)
    mining_margin: float = 0.05
    lora: bool = False
    lora_rank: int = 8
    dim: int | None = None
    max_length: int | None = None
    seed: int = 42
    checkpoint_steps: int = 200
    resume: bool = False
    split: str = "train"


@dataclass
class FinetuneReport:
    out_dir: str
    base_model: str
    loss: str
    examples: int
    steps: int
    seconds: float
    mining: dict[str, int] | None = None
    before: dict[str, dict[str, float]] = field(default_factory=dict)
    after: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def source_folder(model: str) -> Path:
    """The local folder of a transformer encoder named by registry name, path or hub id."""
    from embedlab.registry import resolve

    resolved = resolve(model)
    if resolved.kind != "transformer":
        raise EmbedlabError(f"{model!r} is a {resolved.kind} model; fine-tuning needs a "
                            "transformer encoder")
    return resolved.folder


def _check_config(config: FinetuneConfig) -> None:
    if config.epochs <= 0 or config.learning_rate <= 0 or config.batch_size < 2:
        raise EmbedlabError("epochs and learning rate must be positive and the batch size at "
                            "least 2")
    if not 0 <= config.warmup_ratio < 1:
        raise EmbedlabError(f"warm-up ratio must be in [0, 1), got {config.warmup_ratio}")
    if config.dim is not None and config.dim < 1:
        raise EmbedlabError(f"--dim must be at least 1, got {config.dim}")


def _mine(data: TrainingData, train: str | Path, config: FinetuneConfig, base: Any,
          progress: bool) -> tuple[TrainingData, dict[str, int] | None]:
    """``data`` with ``config.hard_negatives`` mined negatives per pair (as it is without)."""
    if not config.hard_negatives:
        return data, None
    corpus = None
    folder = Path(train)
    if folder.is_dir():
        from embedlab.data.retrieval_sets import read_beir_texts

        corpus = list(read_beir_texts(folder / "corpus.jsonl", with_title=True).values())
    mined, stats = mine_hard_negatives(
        data, base, corpus=corpus, num_negatives=config.hard_negatives,
        rank_range=config.mining_range, margin=config.mining_margin,
        source=config.mining_source, batch_size=config.batch_size, progress=progress)
    return mined, stats.as_dict()


def mine_triplets(train: str | Path, model: Any, *, negatives: int = 1, source: str = "model",
                  rank_range: tuple[int, int] = (10, 100), margin: float = 0.05,
                  split: str = "train", batch_size: int = 32, progress: bool = True
                  ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Hard negatives for the (anchor, positive) pairs in ``train`` (a pairs file or a BEIR
    folder): the triplets as rows (column -> text) and the miner's counts.

    ``model``: a model name or an Embedder. The data is read (and bad data refused) before the
    model loads.
    """
    if negatives < 1:
        raise EmbedlabError(f"negatives must be at least 1, got {negatives}")
    config = FinetuneConfig(hard_negatives=negatives, mining_source=source,
                            mining_range=rank_range, mining_margin=margin, split=split,
                            batch_size=batch_size)
    data = read_training_data(train, split=split)
    from embedlab.registry import to_embedder

    base = to_embedder(model)
    mined, stats = _mine(data, train, config, base, progress)
    rows = [dict(zip(mined.columns, values, strict=True))
            for values in zip(*mined.columns.values(), strict=True)]
    return rows, stats or {}


def _build_model(folder: Path, config: FinetuneConfig) -> Any:
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules

    torch.manual_seed(config.seed)
    model = SentenceTransformer(str(folder), device="cpu")
    if config.max_length:
        model.max_seq_length = config.max_length
    if config.dim:
        width = model.get_embedding_dimension()
        model.append(modules.Dense(width, config.dim, activation_function=torch.nn.Identity()))
    if config.lora:
        try:
            from peft import LoraConfig, get_peft_model
        except ImportError:
            raise EmbedlabError("--lora needs peft: pip install 'embedlab[train]'") from None
        transformer = model[0]
        transformer.auto_model = get_peft_model(
            transformer.auto_model,
            LoraConfig(r=config.lora_rank, lora_alpha=2 * config.lora_rank, lora_dropout=0.1,
                       target_modules=["query", "key", "value", "dense"]))
    return model


def _merge_lora(model: Any) -> None:
    transformer = model[0]
    if hasattr(transformer.auto_model, "merge_and_unload"):
        transformer.auto_model = transformer.auto_model.merge_and_unload()


def _evaluate(model_ref: str, tasks: Sequence[Any], batch_size: int,
              progress: bool) -> dict[str, dict[str, float]]:
    from embedlab.registry import load

    embedder = load(model_ref)
    return {task.name: task.evaluator(batch_size=batch_size, progress=progress)(embedder)
            for task in tasks}


def _report_markdown(report: FinetuneReport, config: FinetuneConfig) -> str:
    lines = [f"# Fine-tuning report: {report.base_model} -> {report.out_dir}", "",
             f"- loss: {report.loss}; examples: {report.examples}; steps: {report.steps}; "
             f"time: {report.seconds:.0f} s",
             f"- settings: {json.dumps(asdict(config))}"]
    if report.mining:
        lines.append(f"- hard-negative mining: {json.dumps(report.mining)}")
    if report.before:
        lines += ["", "| task | metric | before | after | change |", "|---|---|---:|---:|---:|"]
        for task, scores in report.before.items():
            after = report.after.get(task, {})
            for metric, value in scores.items():
                if metric in after and isinstance(value, float):
                    lines.append(f"| {task} | {metric} | {value:.4f} | {after[metric]:.4f} | "
                                 f"{after[metric] - value:+.4f} |")
    return "\n".join(lines) + "\n"


def finetune(model: str, train: str | Path, out_dir: str | Path,
             config: FinetuneConfig | None = None, *, eval_tasks: Sequence[str] = (),
             progress: bool = True, log: Callable[[str], None] = lambda m: None
             ) -> FinetuneReport:
    """Fine-tune ``model`` on ``train`` into ``out_dir``; see the module docstring."""
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.base.sampler import BatchSamplers

    from embedlab.evaluate.tasks import parse_task
    from embedlab.registry import load

    config = config or FinetuneConfig()
    _check_config(config)
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise EmbedlabError(f"{out}: the output folder exists and is not empty")
    tasks = [parse_task(t) for t in eval_tasks]  # bad task specs fail before training
    folder = source_folder(model)
    start = time.perf_counter()
    base = load(model)
    data, mining = _mine(read_training_data(train, split=config.split), train, config, base,
                         progress)
    log(f"training on {len(data)} examples ({data.shape.value})")
    work = out.with_name(out.name + ".partial")
    checkpoints = work / "checkpoints"
    if work.exists() and not config.resume:
        shutil.rmtree(work)
    checkpoints.mkdir(parents=True, exist_ok=True)

    st_model = _build_model(folder, config)
    loss_name, loss = build_loss(st_model, config.loss, data.shape,
                                 temperature=config.temperature, margin=config.margin,
                                 mini_batch_size=config.mini_batch_size,
                                 matryoshka=config.matryoshka)
    columns = dict(data.columns)
    if data.shape is DataShape.LABELLED:
        columns["label"] = [int(v) for v in columns["label"]]
    args = SentenceTransformerTrainingArguments(
        output_dir=str(checkpoints), num_train_epochs=config.epochs,
        per_device_train_batch_size=config.batch_size, learning_rate=config.learning_rate,
        warmup_steps=config.warmup_ratio, lr_scheduler_type="linear", seed=config.seed,
        data_seed=config.seed, batch_sampler=BatchSamplers.NO_DUPLICATES,
        save_strategy="steps", save_steps=config.checkpoint_steps, save_total_limit=2,
        logging_steps=50, report_to="none", use_cpu=True, disable_tqdm=not progress,
        dataloader_num_workers=0,
    )
    trainer = SentenceTransformerTrainer(model=st_model, args=args,
                                         train_dataset=Dataset.from_dict(columns), loss=loss)
    has_checkpoint = any(p.name.startswith("checkpoint-") for p in checkpoints.iterdir())
    result = trainer.train(resume_from_checkpoint=bool(config.resume and has_checkpoint))
    _merge_lora(st_model)
    staged = work / "model"
    if staged.exists():
        shutil.rmtree(staged)
    st_model.save(str(staged))

    report = FinetuneReport(out_dir=str(out), base_model=model, loss=loss_name,
                            examples=len(data), steps=int(result.global_step),
                            seconds=round(time.perf_counter() - start, 1), mining=mining)
    if tasks:
        log("evaluating the base model and the result")
        report.before = _evaluate(model, tasks, config.batch_size, progress)
        report.after = _evaluate(str(staged), tasks, config.batch_size, progress)
    report.out_dir = str(out)
    (staged / "report.md").write_text(_report_markdown(report, config), encoding="utf-8")
    (staged / "embedlab-finetune.json").write_text(json.dumps(report.as_dict(), indent=2),
                                                   encoding="utf-8")
    if out.exists():
        out.rmdir()
    os.replace(staged, out)
    shutil.rmtree(work, ignore_errors=True)
    return report
