"""EfficientNet-lite0 on clothing10: linear-probe accuracy, and images/s against a plain loop.

Accuracy: embedlab encodes ``clothing10/train`` and ``clothing10/test`` (top features, 1280-d,
cache off); a logistic-regression probe (sklearn) trained on train is scored on test.
Speed: the same weights and the same image files, batch ``--batch-size``, ``--threads``
torch threads, in paired rounds that alternate which side goes first: embedlab's encode
(decoding in background threads ahead of the model) against a plain torch loop (open, convert,
resize, centre-crop, normalise each image in turn, then the batch through the model, the
features pooled). The headline is the median of the per-round ratios embedlab/plain.

    flock /tmp/embedlab-bench.lock python benchmarks/images.py [--rounds 6] [--limit 192]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from statistics import median

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from encode import write_section  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "clothing10"


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def plain_loop(model, paths: list[Path], batch_size: int) -> np.ndarray:
    """The loop a user writes by hand: decode each image in turn, then run the batch."""
    from PIL import Image

    mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
    std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
    out = []
    for start in range(0, len(paths), batch_size):
        pixels = []
        for path in paths[start:start + batch_size]:
            image = Image.open(path).convert("RGB")
            w, h = image.size
            scale = 256 / min(w, h)
            image = image.resize((max(224, round(w * scale)), max(224, round(h * scale))),
                                 Image.Resampling.BICUBIC)
            left, top = (image.size[0] - 224) // 2, (image.size[1] - 224) // 2
            image = image.crop((left, top, left + 224, top + 224))
            pixels.append((np.asarray(image, dtype=np.float32) / 255 - mean) / std)
        batch = torch.from_numpy(np.stack(pixels).transpose(0, 3, 1, 2).copy())
        with torch.inference_mode():
            features = model.extract_features(batch).mean(dim=(2, 3))
        out.append(features.numpy())
    return np.concatenate(out)


def probe_accuracy(embedder, batch_size: int) -> dict[str, float]:
    from sklearn.linear_model import LogisticRegression

    from embedlab.data.images import images_in_folder

    def split(name: str) -> tuple[list[Path], list[str]]:
        paths = images_in_folder(DATA / name)
        return paths, [p.parent.name for p in paths]

    (train, ytrain), (test, ytest) = split("train"), split("test")
    start = time.perf_counter()
    xtrain = embedder.encode(train, batch_size=batch_size)
    xtest = embedder.encode(test, batch_size=batch_size)
    seconds = time.perf_counter() - start
    clf = LogisticRegression(max_iter=2000, C=1.0).fit(xtrain, ytrain)
    return {"accuracy": float(clf.score(xtest, ytest)), "train": len(train), "test": len(test),
            "seconds": seconds, "classes": len(set(ytrain))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--limit", type=int, default=192, help="test images timed per round")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-probe", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    load_start = uptime()
    print("start:", load_start, flush=True)
    torch.set_num_threads(args.threads)
    import embedlab
    from embedlab.data.images import images_in_folder
    from embedlab.embedders.image import efficientnet_lite
    from embedlab.named_models import MODELS

    embedder = embedlab.load("efficientnet-lite0", cache_dir=False)
    # the plain loop's model: the same weights, loaded as a user would (default layout)
    model = efficientnet_lite("efficientnet-lite0", MODELS["efficientnet-lite0"].locate()[
        "weights"]).eval()
    paths = images_in_folder(DATA / "test")[: args.limit]
    ours = embedder.encode(paths[:8], normalize=False)  # warm-up, and the same vectors?
    plain = plain_loop(model, paths[:8], args.batch_size)
    cosine = np.sum(ours * plain, 1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(plain, axis=1)

    ratios, ours_rates, plain_rates = [], [], []
    for r in range(args.rounds):
        timings: dict[str, float] = {}
        for side in (("embedlab", "plain") if r % 2 == 0 else ("plain", "embedlab")):
            start = time.perf_counter()
            if side == "embedlab":
                embedder.encode(paths, batch_size=args.batch_size)
            else:
                plain_loop(model, paths, args.batch_size)
            timings[side] = len(paths) / (time.perf_counter() - start)
        ratios.append(timings["embedlab"] / timings["plain"])
        ours_rates.append(timings["embedlab"])
        plain_rates.append(timings["plain"])
        print(f"round {r + 1}: embedlab {timings['embedlab']:.1f}/s, plain "
              f"{timings['plain']:.1f}/s, ratio {ratios[-1]:.3f}", flush=True)
    probe = None if args.no_probe else probe_accuracy(embedder, args.batch_size)
    load_end = uptime()
    print("end:", load_end)

    lines = [
        "## Images: EfficientNet-lite0 on clothing10 (issue 17)", "",
        f"Command: `flock /tmp/embedlab-bench.lock python benchmarks/images.py --rounds "
        f"{args.rounds} --limit {args.limit} --batch-size {args.batch_size} --threads "
        f"{args.threads}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, 24 GiB, no GPU, Python "
        f"{platform.python_version()}; shared with other agents, so noisy. Load at start: "
        f"`{load_start}`; at end: `{load_end}`.", "",
    ]
    if probe:
        lines += [
            f"Linear probe (logistic regression on the 1280-d top features, train -> test): "
            f"**accuracy {probe['accuracy']:.3f}** on {probe['test']} test images "
            f"({probe['train']} train, {probe['classes']} classes; encoding both took "
            f"{probe['seconds']:.0f} s, {(probe['train'] + probe['test']) / probe['seconds']:.1f}"
            " images/s).", ""]
    lines += [
        f"Speed, {len(paths)} test images per side per round, batch {args.batch_size}, "
        f"{args.threads} torch threads, same weights; embedlab (cache off, decoding in "
        f"{embedder.decode_threads} background threads ahead of the model, channels-last "
        f"layout) / plain loop (decode, then the batch, NCHW): "
        f"**{median(ratios):.3f}x** (rounds: {', '.join(f'{x:.3f}' for x in ratios)}; min "
        f"{min(ratios):.3f}, max {max(ratios):.3f}); median images/s embedlab "
        f"{median(ours_rates):.1f}, plain {median(plain_rates):.1f}. The two sides' vectors "
        f"agree (cosine {cosine.min():.4f} or more on the first 8 images).",
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("images", body)


if __name__ == "__main__":
    main()
