"""The interactive API documentation (Swagger UI), served from the npm package set-up installs.

No CDN: the page's script and stylesheet come from ``swagger-ui-dist`` in ``node_modules`` (or a
copy under ``static/vendor/swagger-ui``). Without it the page says how to get it and links the
schema, which is all the docs are drawn from.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from ombuds.web.assets import PACKAGE, STATIC_DIR

DOCS_PATH = "/api/docs"
ASSETS_PATH = "/api/docs/assets"
_BUNDLE = "swagger-ui-bundle.js"

_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · API</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>{title} API</h1>
<p>The interactive documentation needs the <code>swagger-ui-dist</code> package, which
<code>make setup</code> installs with npm. npm was not found when this copy was set up, or its
install failed: install Node.js and npm, then run <code>make setup</code> again.</p>
<p>The API itself works without it. Its full description is the OpenAPI schema at
<a href="{openapi_url}">{openapi_url}</a>, which any OpenAPI viewer can read.</p>
</body></html>
"""


def find_swagger_ui() -> Path | None:
    """The folder holding Swagger UI's bundle: a copy under static/vendor, else a source checkout's npm install."""
    candidates = [STATIC_DIR / "vendor" / "swagger-ui"]
    candidates += [parent / "node_modules" / "swagger-ui-dist" for parent in PACKAGE.parents]
    return next((path for path in candidates if (path / _BUNDLE).is_file()), None)


def install_api_docs(app: FastAPI, *, openapi_url: str, swagger_dir: Path | None = None) -> None:
    """Serve the docs page at /api/docs (the app is built with ``docs_url=None``)."""
    found = swagger_dir if swagger_dir is not None else find_swagger_ui()
    if found is not None:
        app.mount(ASSETS_PATH, StaticFiles(directory=found), name="swagger-ui")

    @app.get(DOCS_PATH, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        if found is None:
            return HTMLResponse(_MISSING.format(title=app.title, openapi_url=openapi_url))
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} · API",
            swagger_js_url=f"{ASSETS_PATH}/{_BUNDLE}",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )
