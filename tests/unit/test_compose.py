"""compose.yaml starts PostgreSQL, Redis, the app handing work out, N workers and a TLS proxy.

No container engine runs here, so the file is checked as data: the services are there, each
OMBUDS_* variable it sets is a setting Ombuds reads, and the app and workers agree on the runner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ombuds.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_the_stack_has_its_five_services_and_the_app_only_hands_work_to_the_workers() -> None:
    services = _compose()["services"]

    assert set(services) == {"postgres", "redis", "app", "worker", "proxy"}
    assert services["app"]["command"][:2] == ["ombuds", "serve"]
    assert services["worker"]["command"][:2] == ["ombuds", "worker"]
    assert services["worker"]["deploy"]["replicas"] == "${OMBUDS_WORKERS:-2}"
    for name in ("app", "worker"):
        env = services[name]["environment"]
        assert env["OMBUDS_RUNNER"] == "celery"
        assert "@postgres:5432/" in env["OMBUDS_DATABASE_URL"]
        assert env["OMBUDS_REDIS_URL"].startswith("redis://redis:6379/")
    assert "app:8000" in services["proxy"]["command"]
    assert "ports" not in services["app"], "only the proxy is reachable from outside"


def test_every_variable_the_stack_sets_is_a_setting() -> None:
    fields = {f"OMBUDS_{name.upper()}" for name in Settings.model_fields}
    services = _compose()["services"]
    names = {name for service in services.values() for name in service.get("environment", {})}
    ombuds_names = {name for name in names if name.startswith("OMBUDS_")}

    assert ombuds_names, "the app's settings are in the file"
    assert ombuds_names <= fields, sorted(ombuds_names - fields)
    assert (ROOT / "Dockerfile").is_file(), "compose.yaml builds the image from the Dockerfile"
