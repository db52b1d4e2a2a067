"""/api/docs draws Swagger UI from the npm package set-up installs, never from a CDN."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ombuds.web import api_docs


def test_the_docs_page_and_its_script_come_from_this_server() -> None:
    if api_docs.find_swagger_ui() is None:
        pytest.skip("swagger-ui-dist is not installed (make setup installs it with npm)")
    app = FastAPI(docs_url=None)
    api_docs.install_api_docs(app, openapi_url="/api/v1/openapi.json")
    client = TestClient(app)

    page = client.get("/api/docs")
    script = client.get("/api/docs/assets/swagger-ui-bundle.js")
    style = client.get("/api/docs/assets/swagger-ui.css")

    assert page.status_code == 200
    assert "/api/docs/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert (script.status_code, style.status_code) == (200, 200)
    assert "SwaggerUIBundle" in script.text


def test_without_the_package_the_page_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_docs, "find_swagger_ui", lambda: None)
    app = FastAPI(title="Ombuds", docs_url=None)
    api_docs.install_api_docs(app, openapi_url="/api/v1/openapi.json")

    page = TestClient(app).get("/api/docs")

    assert page.status_code == 200
    assert "make setup" in page.text
    assert "npm" in page.text
    assert 'href="/api/v1/openapi.json"' in page.text
