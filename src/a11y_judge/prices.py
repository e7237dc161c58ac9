"""Model prices and context windows from data/llm_models.json (editable; prices change)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from a11y_judge.paths import data_dir

TABLE_FILE = "llm_models.json"


@dataclass(frozen=True)
class ModelInfo:
    """USD per million input/output tokens, context window, whether temperature is fixed."""

    input: float
    output: float
    context: int
    fixed_temperature: bool = False

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """USD for a call with these token counts."""
        return (input_tokens * self.input + output_tokens * self.output) / 1_000_000


@lru_cache(maxsize=2)
def _table(folder: str) -> tuple[dict[str, ModelInfo], int]:
    doc = json.loads((data_dir() / TABLE_FILE).read_text(encoding="utf-8"))
    models = {name: ModelInfo(**spec) for name, spec in doc["models"].items()}
    return models, int(doc.get("default_context_tokens", 32768))


def model_info(model: str) -> ModelInfo | None:
    """The model's entry: exact name, else the longest listed prefix; None if unlisted."""
    models, _ = _table(str(data_dir()))
    name = model.lower().removeprefix("models/")
    if name in models:
        return models[name]
    prefixes = [m for m in models if name.startswith(m + "-") or name.startswith(m + "@")]
    return models[max(prefixes, key=len)] if prefixes else None


def default_context_tokens() -> int:
    """Context window assumed for models the table does not list."""
    return _table(str(data_dir()))[1]
