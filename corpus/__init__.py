"""The sample corpus: five public TOM documents and `manifest.yaml`, which describes each one."""

from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent
