"""Switch off every network call a library makes on its own, before any of them is imported.

Imported first by `ingest/__init__.py`, so importing any part of the project is enough. See
shared/offline.md for what each variable stops. TIKTOKEN_CACHE_DIR and NLTK_DATA are left unset
on purpose: llama-index points them at the data it ships, and any other value makes it download.
"""

import os

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply() -> None:
    """Set the offline variables unless the deployment set them itself."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    for key in ("TIKTOKEN_CACHE_DIR", "NLTK_DATA"):
        if os.environ.get(key) == "":
            del os.environ[key]


apply()
