"""Kinds come from the entry points; secrets are sealed at rest and never shown back."""

from __future__ import annotations

import json

import pytest

from ombuds.connectors.registry import get_kind, installed_kinds, validate_config
from ombuds.connectors.secrets import (
    SecretUnreadable,
    open_config,
    seal_config,
    secret_box,
    shown_config,
)
from ombuds.connectors.webhook import normal_signature, signature, signature_matches
from ombuds.errors import InvalidInput

KEY = "k" * 48


def test_the_builtin_kinds_are_found_through_the_entry_point_group() -> None:
    assert {"rss", "webhook"} <= set(installed_kinds())
    assert get_kind("rss").name == "rss"


def test_an_unknown_kind_lists_the_installed_ones() -> None:
    with pytest.raises(InvalidInput, match=r"'fax' is not an installed connector; one of .*rss"):
        get_kind("fax")


def test_a_wrong_config_names_the_field() -> None:
    with pytest.raises(InvalidInput, match=r"rss config: url: .*http"):
        validate_config(get_kind("rss"), {"url": "ftp://example.org/feed"})


def test_a_secret_is_sealed_at_rest_opens_with_the_key_and_reads_set_when_shown() -> None:
    kind = get_kind("webhook")
    config = validate_config(kind, {"secret": "s3cret-value-long-enough"})
    stored = seal_config(kind, config, secret_box(KEY))
    assert "s3cret-value-long-enough" not in json.dumps(stored)
    assert open_config(kind, stored, secret_box(KEY), where="source 1") == config
    assert shown_config(kind, stored) == {"secret": "set"}


def test_a_secret_sealed_under_another_key_says_so_without_the_value() -> None:
    kind = get_kind("webhook")
    stored = seal_config(kind, validate_config(kind, {"secret": "s3cret-value-long-enough"}), secret_box(KEY))
    with pytest.raises(SecretUnreadable, match="source 9: its secret was sealed with another secret key"):
        open_config(kind, stored, secret_box("other" * 10), where="source 9")


def test_the_webhook_signature_is_hmac_over_timestamp_dot_body() -> None:
    given = signature("topsecret", timestamp="1700000000", body=b'{"a":1}')
    # computed apart: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac topsecret
    assert given == "sha256=6a939b0c71853d606167625a15168ee9188c6a511c773ef4f42d307f3849e50f"
    assert signature_matches("topsecret", timestamp="1700000000", body=b'{"a":1}', given=given)
    assert not signature_matches("topsecret", timestamp="1700000001", body=b'{"a":1}', given=given)
    assert normal_signature(f" {given.upper()}\t") == given
    assert normal_signature("sha256=é") is None
    assert normal_signature(given + "\xa0") is None
    assert normal_signature(given[:-1]) is None
