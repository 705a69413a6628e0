"""Hostile input through the real entry point (issue 15): exit 2 and one line, never a traceback.

``main`` runs in this process (a subprocess per case would cost seconds of imports each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedlab.cli.main import main

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The exit code and stderr of ``embedlab ARGS``."""
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def one_line_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, err = cli(capsys, *args)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (code, err)
    return lines[0]


@pytest.mark.parametrize(("name", "expected"), [
    ("lone_surrogate.jsonl", "row 2 is not valid Unicode"),
    ("surrogate_list.json", "row 3 is not valid Unicode"),
    ("null_id.jsonl", "row 2 has no id in field 'id'"),
    ("missing_id.jsonl", "row 2 has no id in field 'id'"),
])
def test_encode_build_and_add_refuse_bad_rows(name: str, expected: str, tmp_path: Path,
                                              tiny_glove: Path, capsys) -> None:
    model = str(tiny_glove)
    assert expected in one_line_error(capsys, "encode", str(FUZZ / name), "-m", model,
                                      "-o", str(tmp_path / "v.npy"), "-q")
    assert not (tmp_path / "v.npy").exists()
    idx = str(tmp_path / "idx")
    assert expected in one_line_error(capsys, "index", "build", str(FUZZ / name), "-m", model,
                                      "-o", idx, "-q")
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": "z", "text": "the dog runs"}\n', encoding="utf-8")
    assert cli(capsys, "index", "build", str(good), "-m", model, "-o", idx, "-q")[0] == 0
    assert expected in one_line_error(capsys, "index", "add", idx, str(FUZZ / name), "-q")
