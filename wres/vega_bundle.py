"""The Vega scripts inlined in every report, bundled once per version and kept in the user's cache.

vl-convert bundles vega-embed, Vega-Lite and Vega into one script (about 900 KB) in 2 to 3 s of one
core, and every publication worker process did so on every run. The script depends only on the
versions of vl-convert and of Vega-Lite, so it is kept under ``$XDG_CACHE_HOME/wres`` (default
``~/.cache/wres``), named by both, and written whole or not at all (a temporary file renamed into
place). A cache that cannot be read or written only makes the run slower.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from pathlib import Path

import altair as alt
import vl_convert

from wres.config import user_folder

# every bundle defines it; a cached file without it is made again
_BUNDLE_MARK = "vegaEmbed"


def cache_folder() -> Path:
    return user_folder("XDG_CACHE_HOME", ".cache") / "wres"


def _vegalite_version() -> str | None:
    """Altair's Vega-Lite version (major.minor) when vl-convert has it, else vl-convert's default."""
    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return wanted if wanted in vl_convert.get_vegalite_versions() else None


def bundle_cache_file(version: str | None) -> Path:
    name = f"vega-bundle-vl-convert-{vl_convert.__version__}-vega-lite-{version or 'default'}.js"
    return cache_folder() / name


@functools.lru_cache(maxsize=1)
def vega_javascript() -> str:
    """vega-embed, Vega-Lite and Vega in one script, matching Altair's Vega-Lite version."""
    version = _vegalite_version()
    cached = bundle_cache_file(version)
    try:
        bundle = cached.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        bundle = ""
    if _BUNDLE_MARK not in bundle:
        bundle = vl_convert.javascript_bundle(vl_version=version)
        _keep(cached, bundle)
    if "</script" in bundle.lower():  # would end the element early
        raise RuntimeError("the Vega bundle contains '</script': cannot embed it inline")
    return bundle


def _keep(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all; a cache that cannot be written is skipped."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
