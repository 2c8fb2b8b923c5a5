"""Minimal cases where the contract and docs/escrow-v2.md disagree, found by the campaigns.

Each test states the spec's rule, the call sequence, what the spec expects and what the
contract did when it was found. They assert the SPEC's behaviour, so they fail until the
contract is fixed (or the spec is changed); `xfail(strict=True)` marks the open ones, so the
suite stays green while the finding is open and turns red when it is fixed without updating
this file.
"""

from __future__ import annotations

import boa
import pytest

from .harness import World, v2_available
from .scenario import Scenario

pytestmark = pytest.mark.skipif(not v2_available(), reason="escrow v2 not on this branch yet")


@pytest.fixture(scope="module")
def world():
    return World()


@pytest.fixture
def sc(world):
    with boa.env.anchor():
        yield Scenario(world)
