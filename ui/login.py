"""Logging in through the browser: /login takes an API key and sets the login cookie; /logout clears it.

`UIGate` applies the auth rule to the Gradio app mounted at /: when reads need a key, a visitor
without one is sent to /login, and Gradio's own endpoints under /gradio_api/ answer 401 (Gradio
checks its event endpoints itself through `Auth.gradio_user`; the gate also covers the few it
leaves open). When only writes need a key the page stays open, and the UI's write handlers
refuse anonymous callers (`Auth.may_write`).
"""

from __future__ import annotations

import html
import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from ui.auth import COOKIE, Auth

log = logging.getLogger(__name__)
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Log in: TOM assistant</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28em;margin:4em auto}}input{{width:100%;padding:6px;margin:6px 0}}
button{{padding:6px 18px}} .error{{color:#cf222e}}</style></head><body>
<h1>TOM assistant</h1><p>Type one of the server's API keys to use the assistant in this browser.</p>{message}
<form method="post" action="/login"><label for="key">API key</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<button type="submit" id="login-button">Log in</button></form></body></html>"""


def page(message: str = "", status: int = 200) -> HTMLResponse:
    note = f"<p class='error' role='alert'>{html.escape(message)}</p>" if message else ""
    return HTMLResponse(PAGE.format(message=note), status_code=status)


def router(auth: Auth) -> APIRouter:
    routes = APIRouter(include_in_schema=False)

    @routes.get("/login")
    async def login_form() -> Response:
        return page() if auth.enabled else RedirectResponse("/", status_code=303)

    @routes.post("/login")
    async def login(request: Request) -> Response:
        if not auth.enabled:
            return RedirectResponse("/", status_code=303)
        form = await request.form()
        key = auth.valid_key(str(form.get("key") or ""))
        if key is None:
            log.warning("a login with a wrong key from %s", request.client.host if request.client else "?")
            return page("That is not one of this server's keys.", status=401)
        value, lifetime = auth.login_cookie(key)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, value, max_age=lifetime, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/")
        return response

    @routes.get("/logout")
    async def logout() -> Response:
        response = RedirectResponse("/login" if auth.enabled else "/", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    return routes


class UIGate:
    """When reads need a key: the UI page redirects to /login, and /gradio_api/ answers 401, for callers without one."""

    def __init__(self, app: ASGIApp, auth: Auth) -> None:
        self.app, self.auth = app, auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.auth.reads_need_key:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        page_request = path == "/" and scope["method"] in ("GET", "HEAD")
        if (page_request or path.startswith("/gradio_api/")) and self.auth.identity(HTTPConnection(scope)) is None:
            response: Response = (RedirectResponse("/login", status_code=303) if page_request else
                                  Response('{"detail":"log in at /login or send Authorization: Bearer <key>"}',
                                           status_code=401, media_type="application/json",
                                           headers={"WWW-Authenticate": "Bearer"}))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
