"""Shared by the tests that build Rust: one cache directory (and so one Cargo target directory)
for the whole session, so that the runtime and the built-in models are built once for
``neurode.compile`` and the Rust-route example crate alike. ``NEURODE_TEST_CACHE`` keeps it
between local runs."""

import os

import pytest


@pytest.fixture(scope="session")
def build_cache(tmp_path_factory):
    return os.environ.get("NEURODE_TEST_CACHE") or str(tmp_path_factory.mktemp("cache"))
