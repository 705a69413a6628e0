"""``embedlab recommend fit / DIR / query / add-items`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from embedlab.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    try:
        main(list(args))
    except SystemExit as exc:  # main returns on success, exits on an error
        pytest.fail(f"exit {exc.code}: {capsys.readouterr().err}")
    captured = capsys.readouterr()
    return captured.out, captured.err


def fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    err = capsys.readouterr().err
    assert info.value.code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    return err


@pytest.fixture(scope="module")
def model_dir(rec_files: tuple[Path, Path], tiny_st_model: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli-rec") / "model"
    main(["recommend", "fit", "--interactions", str(rec_files[0]), "--items",
          str(rec_files[1]), "-m", str(tiny_st_model), "--out", str(out), "--min-rating",
          "4", "--factors", "8", "--iterations", "5", "--alpha", "0.4", "-q"])
    return out


def test_fit_then_ask(capsys: pytest.CaptureFixture[str], model_dir: Path) -> None:
    assert (model_dir / "embedlab.json").exists()
    out, _ = run(capsys, "recommend", str(model_dir), "--user", "u00", "-k", "3",
                 "--exclude-seen", "--json")
    rows = json.loads(out)
    assert len(rows) == 3 and all(int(r["item"][1:]) % 2 == 0 for r in rows)
    same, _ = run(capsys, "recommend", "query", str(model_dir), "--user", "u00", "-k", "3",
                  "--exclude-seen", "--json")
    assert json.loads(same) == rows
    table, _ = run(capsys, "recommend", str(model_dir), "--history", "i01,i03", "-k", "2")
    assert "label" in table
    similar, _ = run(capsys, "recommend", str(model_dir), "--item", "i02", "--json")
    assert "i02" not in {r["item"] for r in json.loads(similar)}


def test_add_items(capsys: pytest.CaptureFixture[str], model_dir: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.csv"
    new.write_text("item,title,genres\nz1,the music guitar,Music\n", encoding="utf-8")
    _, err = run(capsys, "recommend", "add-items", str(model_dir), str(new), "-q")
    assert "added 1 items" in err and "now holds 49" in err
    out, _ = run(capsys, "recommend", str(model_dir), "--item", "z1", "-k", "2", "--json")
    assert len(json.loads(out)) == 2
    assert "already in the model" in fails(capsys, "recommend", "add-items", str(model_dir),
                                           str(new))


def test_bad_input(capsys: pytest.CaptureFixture[str], model_dir: Path, tmp_path: Path,
                   rec_files: tuple[Path, Path]) -> None:
    assert "unknown user 'ghost'" in fails(capsys, "recommend", str(model_dir), "--user",
                                           "ghost")
    assert "history is empty" in fails(capsys, "recommend", str(model_dir), "--history", "")
    assert "exactly one" in fails(capsys, "recommend", str(model_dir), "--user", "u00",
                                  "--item", "i00")
    described, _ = run(capsys, "recommend", str(model_dir), "--json")
    assert json.loads(described)["items"] >= 48
    assert "not a recommender folder" in fails(capsys, "recommend", str(tmp_path), "--user",
                                               "u00")
    assert "not empty" in fails(capsys, "recommend", "fit", "--interactions",
                                str(rec_files[0]), "--items", str(rec_files[1]), "--out",
                                str(model_dir))
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert "empty" in fails(capsys, "recommend", "fit", "--interactions", str(empty),
                            "--items", str(rec_files[1]), "--out", str(tmp_path / "x"))
