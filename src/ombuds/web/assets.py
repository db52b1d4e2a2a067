"""Static files: our own stylesheet and script, and htmx when set-up installed it from npm."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

PACKAGE = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE / "static"
TEMPLATES_DIR = PACKAGE / "templates"
HTMX_PATH = "/static/vendor/htmx.min.js"


@dataclass(frozen=True)
class Assets:
    """URLs the layout links to; each carries a content hash so browsers can cache them for long."""

    versions: dict[str, str]
    htmx_file: Path | None

    def url(self, name: str) -> str:
        version = self.versions.get(name)
        return f"/static/{name}?v={version}" if version else f"/static/{name}"

    @property
    def htmx_url(self) -> str | None:
        return HTMX_PATH if self.htmx_file is not None else None


def find_htmx() -> Path | None:
    """htmx copied under static/vendor by set-up, else the npm install of a source checkout, else none.

    Pages work without it; htmx only adds live refresh and partial updates.
    """
    candidates = [STATIC_DIR / "vendor" / "htmx.min.js"]
    candidates += [
        parent / "node_modules" / "htmx.org" / "dist" / "htmx.min.js" for parent in PACKAGE.parents
    ]
    return next((path for path in candidates if path.is_file()), None)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def mount_assets(app: FastAPI) -> Assets:
    """Serve /static (and htmx from wherever it was found); return the URLs for the templates."""
    htmx_file = find_htmx()
    if htmx_file is not None and htmx_file.parent != STATIC_DIR / "vendor":
        found = htmx_file

        @app.get(HTMX_PATH, include_in_schema=False)
        def htmx() -> Response:
            return FileResponse(
                found, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
            )

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    versions = {
        path.relative_to(STATIC_DIR).as_posix(): _digest(path)
        for path in STATIC_DIR.glob("*")
        if path.is_file()
    }
    return Assets(versions=versions, htmx_file=htmx_file)
