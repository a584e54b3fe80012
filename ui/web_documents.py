"""The Documents tab: the store's documents; add an upload, delete one, re-ingest the corpus folder.

Each action changes the store, so with API keys set it needs a logged-in caller (`Auth.may_write`),
and it takes the ingest lock the API's uploads and deletes take too. An upload's name is checked
by the same rules as the API's (`ui.uploads.check_name`).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.errors import UserError
from ui import uploads
from ui.bridge import carried_status
from ui.services import Services

log = logging.getLogger(__name__)
HEADERS = ["document", "title", "council", "kind", "date", "status", "chunks"]


def documents_table(services: Services) -> list[list[Any]]:
    return [[d.document, d.title, d.council, d.kind, d.date, d.status, d.chunks] for d in services.components.store.documents()]


def summary_text(summary) -> str:
    failed = "; ".join(f"{f['document']}: {f['reason']}" for f in summary.failed)
    return (f"Added {len(summary.added)}, updated {len(summary.updated)}, unchanged {len(summary.unchanged)}, "
            f"removed {len(summary.removed)}." + (f" **Failed:** {html.escape(failed)}" if failed else ""))


def require_writer(services: Services, request: gr.Request) -> None:
    if not services.auth.may_write(request.username):
        raise gr.Error("Log in (at /login) with an API key to change the documents.")


class DocumentActions:
    """The tab's handlers over the shared services."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def refresh(self, message: str):
        names = [d.document for d in self.services.components.store.documents()]
        return documents_table(self.services), gr.update(choices=names, value=None), message

    def reingest(self, request: gr.Request, progress=gr.Progress()):
        require_writer(self.services, request)
        with self.services.ingest_lock:
            summary = self.services.components.ingester.ingest(None, progress=_bar(progress))
        return self.refresh(summary_text(summary))

    def add(self, file, request: gr.Request, progress=gr.Progress()):
        require_writer(self.services, request)
        if file is None:
            return self.refresh("Choose a file first.")
        path = Path(file if isinstance(file, str) else file.name)
        try:
            uploads.check_name(path.name)
        except UserError as error:
            return self.refresh(f"⚠ {html.escape(str(error))}")
        try:
            with self.services.ingest_lock:
                summary = self.services.components.ingester.add(path, _bar(progress))
        except Exception as error:  # a name already taken, a store busy elsewhere: said as it is; others propagate
            if carried_status(error) is None:
                raise
            return self.refresh(f"⚠ {html.escape(str(error))}")
        return self.refresh(summary_text(summary))

    def delete(self, name: str, request: gr.Request):
        require_writer(self.services, request)
        if not name:
            return self.refresh("Choose a document first.")
        try:
            with self.services.ingest_lock:
                removed = self.services.components.ingester.delete(name)
        except Exception as error:  # as in `add`
            if carried_status(error) is None:
                raise
            return self.refresh(f"⚠ {html.escape(str(error))}")
        return self.refresh(f"Deleted {html.escape(name)} ({removed} chunks).")


def _bar(progress):
    return lambda done, total, name: progress((done, total), desc=name)


def build(services: Services) -> None:
    """The tab's components and events (called inside the Blocks)."""
    actions = DocumentActions(services)
    table = gr.Dataframe(documents_table(services), headers=HEADERS, interactive=False)
    with gr.Row():
        new_file = gr.File(label="Add a document")
        with gr.Column():
            add = gr.Button("Ingest the upload", variant="primary")
            to_delete = gr.Dropdown([d.document for d in services.components.store.documents()], label="Document to delete")
            delete = gr.Button("Delete", variant="stop")
            reingest = gr.Button("Re-ingest the corpus folder")
    status = gr.Markdown()
    outputs = [table, to_delete, status]
    add.click(actions.add, new_file, outputs, api_name="add_document")
    delete.click(actions.delete, to_delete, outputs, api_name="delete_document")
    reingest.click(actions.reingest, None, outputs, api_name="reingest")
