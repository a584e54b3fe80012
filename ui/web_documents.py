"""The Documents tab: the store's documents; add an upload, delete one, re-ingest the corpus folder.

Each action changes the store, so with API keys set it needs a logged-in caller (`Auth.may_write`),
and it takes the ingest lock the API's uploads and deletes take too. An upload follows the API's
rules: its own name checked by `ui.uploads.check_name` and saved by `ui.uploads.with_saved` (Gradio
keeps its copy under a name cut to 200 bytes, so the page sends the file's own name beside it),
and a document of that name is replaced only when "Replace" is ticked (the ingest layer raises
`DocumentExists` otherwise, the API's 409).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

import gradio as gr

from ingest.pipeline import DocumentExists
from ui import uploads
from ui.bridge import carried_status
from ui.services import Services

log = logging.getLogger(__name__)
HEADERS = ["document", "title", "council", "kind", "date", "status", "chunks", "inferred"]
REPLACE_LABEL = "Replace a document of the same name (its current file is kept in the trash folder)"
# Run in the browser before the upload event: the file's own name (Gradio's FileData.orig_name) goes with it
ORIGINAL_NAME_JS = "(file, name, replace) => [file, (file && file.orig_name) || name, replace]"


def upload_name(path: str, name: str | None) -> str:
    """The name the document takes: the user's file's own (read in the browser, `ORIGINAL_NAME_JS`), or
    failing that the name of Gradio's copy (which Gradio cuts to 200 bytes and strips of some characters)."""
    return name or Path(path).name


def documents_table(services: Services) -> list[list[Any]]:
    return [[d.document, d.title, d.council, d.kind, d.date, d.status, d.chunks, ", ".join(d.inferred)]
            for d in services.components.store.documents()]


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

    def add(self, path: str | None, name: str | None, replace: bool, request: gr.Request, progress=gr.Progress()):
        """Ingest an upload (Gradio's copy at `path`) under its own `name`, replacing a document only if asked."""
        require_writer(self.services, request)
        if path is None:
            return self.refresh("Choose a file first.")
        name = upload_name(path, name)
        limit, ingester = self.services.settings.max_upload_bytes, self.services.components.ingester
        try:
            uploads.check_name(name)
            with self.services.ingest_lock, Path(path).open("rb") as source:
                summary = uploads.with_saved(name, source, limit,
                                             lambda saved: ingester.add(saved, _bar(progress), replace=bool(replace)))
        except DocumentExists as error:
            return self.refresh(f"⚠ {html.escape(str(error))}. To replace it, tick “Replace” and add the file again.")
        except Exception as error:  # a bad name, too large, a store busy elsewhere: said as it is; others propagate
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
    gr.Markdown("*inferred*: the fields guessed from the document's own text (it has no entry in `manifest.yaml`).")
    with gr.Row():
        new_file = gr.File(label="Add a document", elem_id="new-document")
        name = gr.Textbox(visible=False)  # the file's own name, filled in by ORIGINAL_NAME_JS
        with gr.Column():
            replace = gr.Checkbox(False, label=REPLACE_LABEL, elem_id="replace-document")
            add = gr.Button("Ingest the upload", variant="primary", elem_id="add-document")
            to_delete = gr.Dropdown([d.document for d in services.components.store.documents()], label="Document to delete")
            delete = gr.Button("Delete", variant="stop")
            reingest = gr.Button("Re-ingest the corpus folder")
    status = gr.Markdown(elem_id="documents-status")
    outputs = [table, to_delete, status]
    add.click(actions.add, [new_file, name, replace], outputs, api_name="add_document", js=ORIGINAL_NAME_JS)
    delete.click(actions.delete, to_delete, outputs, api_name="delete_document")
    reingest.click(actions.reingest, None, outputs, api_name="reingest")
