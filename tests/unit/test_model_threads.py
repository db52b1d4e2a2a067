"""The sentence encoder's threads: the operator's OMP_NUM_THREADS, else one per core up to four."""

from __future__ import annotations

import pytest

from ombuds.promises.encoder import model_threads


def test_omp_num_threads_sets_the_encoder_s_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert model_threads() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert model_threads() == 3


@pytest.mark.parametrize("value", [None, "", "0", "many", "²", "9" * 5000])
def test_without_a_usable_setting_it_uses_up_to_four_cores(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    else:
        monkeypatch.setenv("OMP_NUM_THREADS", value)
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert model_threads() == 4
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert model_threads() == 2
