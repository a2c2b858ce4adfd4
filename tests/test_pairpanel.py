"""The pairwise reader panel shows only the clusters whose summary changed, blind, and counts the verdicts right."""
from __future__ import annotations

import json

from bench import pairpanel


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_only_changed_summaries_are_shown_and_verdicts_are_counted_by_version(tmp_path, capsys):
    _write(tmp_path / "refs.jsonl", [{"id": f"c{i}", "summary": f"What happened in case {i}."} for i in range(3)])
    old = [{"id": f"c{i}", "sentences": [{"text": f"Old text {i}."}]} for i in range(3)]
    new = [{"id": "c0", "sentences": [{"text": "Old text 0."}]}] + \
          [{"id": f"c{i}", "sentences": [{"text": f"New text {i}."}]} for i in (1, 2)]
    _write(tmp_path / "old.jsonl", old)
    _write(tmp_path / "new.jsonl", new)
    assert pairpanel.make(str(tmp_path / "refs.jsonl"), str(tmp_path / "old.jsonl"), str(tmp_path / "new.jsonl"),
                          str(tmp_path / "panel"), seed=3) == 2
    panel = (tmp_path / "panel" / "panel.md").read_text(encoding="utf-8")
    assert "case 0" not in panel and "case 1" in panel and "case 2" in panel
    assert "old" not in panel.lower().replace("old text", "")  # nothing tells the judge which is which
    key = json.loads((tmp_path / "panel" / "key.json").read_text(encoding="utf-8"))
    # the judge prefers the new text on one item and the old one on the other
    verdicts = [{"item": int(n), "better": "A" if k["A"] == ("new" if n == "1" else "old") else "B", "note": n}
                for n, k in key.items()]
    _write(tmp_path / "judge.jsonl", verdicts)
    assert pairpanel.tally(str(tmp_path / "panel" / "key.json"), [str(tmp_path / "judge.jsonl")]) == \
        {"new": 1, "old": 1, "same": 0}
