"""The English stop-word list grouping uses: scikit-learn's, loaded without importing scikit-learn."""
from __future__ import annotations

import importlib.util
from pathlib import Path


def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, without importing scikit-learn.

    Importing the package costs about 1.5 s, once per build process, for one frozenset; its
    module file is loaded on its own instead. Where that file is not found (another layout
    in a later release) the package is imported as usual.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is not None and spec.origin:
        path = Path(spec.origin).parent / "feature_extraction" / "_stop_words.py"
        if path.is_file():
            module_spec = importlib.util.spec_from_file_location("_briefing_sklearn_stop_words", path)
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
            found = getattr(module, "ENGLISH_STOP_WORDS", None)
            if isinstance(found, frozenset) and found:
                return found
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    return frozenset(ENGLISH_STOP_WORDS)
