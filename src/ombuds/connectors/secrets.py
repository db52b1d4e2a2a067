"""Connector secrets at rest: sealed with Fernet under a key derived from the app's secret key.

A source's config is stored as JSON; each field the kind names in ``secret_fields`` is replaced by
``{"sealed": "<Fernet token>"}``. ``open_config`` gives the typed config back for the connector;
``shown_config`` is what pages and the CLI may print: every secret reads ``"set"``.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel

from ombuds.connectors.base import ConnectorKind
from ombuds.connectors.registry import validate_config
from ombuds.errors import OmbudsError

_INFO = b"ombuds connector secrets v1"
SEALED = "sealed"
SHOWN = "set"


class SecretUnreadable(OmbudsError):
    """A sealed secret does not open with this key: the app's secret key changed since it was stored."""


@lru_cache(maxsize=4)
def secret_box(app_key: str) -> Fernet:
    """The Fernet for connector secrets; HKDF keeps it apart from the key's other uses (cookies)."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(app_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def seal_config(kind: ConnectorKind, config: BaseModel, box: Fernet) -> dict[str, Any]:
    """The config as stored: plain JSON with each secret field sealed."""
    stored = config.model_dump(mode="json")
    for name in kind.secret_fields:
        value = stored.get(name)
        if value is not None:
            stored[name] = {SEALED: box.encrypt(str(value).encode()).decode()}
    return stored


def open_config(kind: ConnectorKind, stored: Mapping[str, Any], box: Fernet, *, where: str) -> BaseModel:
    """The typed config of a stored source; ``where`` (say ``"source 4"``) names it in errors."""
    values = dict(stored)
    for name in kind.secret_fields:
        value = values.get(name)
        if isinstance(value, Mapping) and SEALED in value:
            try:
                values[name] = box.decrypt(str(value[SEALED]).encode()).decode()
            except InvalidToken:
                raise SecretUnreadable(
                    f"{where}: its {name} was sealed with another secret key; set it again"
                ) from None
    return validate_config(kind, values)


def shown_config(kind: ConnectorKind, stored: Mapping[str, Any]) -> dict[str, Any]:
    """The stored config as a person may see it: secrets read "set", never their value."""
    return {
        name: (SHOWN if name in kind.secret_fields and value is not None else value)
        for name, value in stored.items()
    }
