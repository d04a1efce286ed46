"""Fixtures of the unit tier."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import twisted.internet
from twisted.internet.selectreactor import SelectReactor


@pytest.fixture
def reactor(monkeypatch: pytest.MonkeyPatch) -> Iterator[SelectReactor]:
    """A reactor of the test's own in place of the installed one (what ``from
    twisted.internet import reactor`` gives): never run, the test iterates it by hand."""
    fresh = SelectReactor()
    monkeypatch.setattr(twisted.internet, "reactor", fresh, raising=False)
    yield fresh
    fresh.disconnectAll()
    for call in fresh.getDelayedCalls():
        call.cancel()
    fresh.removeReader(fresh.waker)
    fresh.waker.connectionLost(None)
