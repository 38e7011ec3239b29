"""The Vega scripts inlined in the reports: bundled once per version, then read from the cache."""

from __future__ import annotations

import pytest
import vl_convert

from wres import vega_bundle


@pytest.fixture(autouse=True)
def _bundled_afresh():
    # each test starts and ends with the in-memory bundle forgotten, so that the other tests of the
    # session never embed a bundle made here
    vega_bundle.vega_javascript.cache_clear()
    yield
    vega_bundle.vega_javascript.cache_clear()


def _fresh(monkeypatch, cache_home) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))


def test_the_first_bundle_is_kept_and_the_next_process_reads_it(tmp_path, monkeypatch):
    _fresh(monkeypatch, tmp_path)
    bundle = vega_bundle.vega_javascript()
    version = vega_bundle._vegalite_version()
    assert bundle == vl_convert.javascript_bundle(vl_version=version)
    cached = vega_bundle.bundle_cache_file(version)
    assert cached.parent == tmp_path / "wres"
    assert cached.read_text(encoding="utf-8") == bundle
    assert [p.name for p in cached.parent.iterdir()] == [cached.name]  # no temporary file left
    # a later process (the in-memory cache cleared) reads the file instead of bundling again
    cached.write_text("/* kept */ function vegaEmbed() {}", encoding="utf-8")
    vega_bundle.vega_javascript.cache_clear()
    assert vega_bundle.vega_javascript() == "/* kept */ function vegaEmbed() {}"


def test_a_cached_file_that_is_not_a_bundle_is_made_again(tmp_path, monkeypatch):
    _fresh(monkeypatch, tmp_path)
    cached = vega_bundle.bundle_cache_file(vega_bundle._vegalite_version())
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"\xff\xfe not text")
    bundle = vega_bundle.vega_javascript()
    assert "vegaEmbed" in bundle and len(bundle) > 100_000
    assert cached.read_text(encoding="utf-8") == bundle


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    _fresh(monkeypatch, blocker)
    bundle = vega_bundle.vega_javascript()
    assert "vegaEmbed" in bundle and len(bundle) > 100_000
    assert blocker.read_text() == "a file where the cache folder would go"
