"""scripts/fetch_axe.py: axe.min.js only from a tarball whose sha512 matches the pinned one,
written whole or not at all."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fetch_axe.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fetch_axe", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tarball(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _sha512(data: bytes) -> str:
    return base64.b64encode(hashlib.sha512(data).digest()).decode()


def test_a_matching_tarball_gives_axe_min_js_and_writes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch_axe = _script()
    tgz = _tarball({"package/axe.min.js": b"window.axe = {};", "package/README.md": b"x"})
    monkeypatch.setattr(fetch_axe, "SHA512", _sha512(tgz))
    monkeypatch.setattr(fetch_axe, "fetch", lambda url=fetch_axe.URL: tgz)
    target = tmp_path / "axe" / "axe.min.js"
    assert fetch_axe.main([str(target)]) == 0
    assert target.read_bytes() == b"window.axe = {};"
    assert [p.name for p in target.parent.iterdir()] == ["axe.min.js"]  # no temp file left


def test_a_tarball_with_another_hash_is_refused_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch_axe = _script()
    tgz = _tarball({"package/axe.min.js": b"window.axe = 'tampered';"})
    monkeypatch.setattr(fetch_axe, "fetch", lambda url=fetch_axe.URL: tgz)
    target = tmp_path / "axe.min.js"
    with pytest.raises(SystemExit, match="expected sha512-"):
        fetch_axe.main([str(target)])
    assert not target.exists()


def test_the_pinned_version_is_the_one_the_browser_tests_expect() -> None:
    fetch_axe = _script()
    harness = (SCRIPT.parents[1] / "tests" / "browser" / "harness.py").read_text(encoding="utf-8")
    assert f'AXE_VERSION = "{fetch_axe.VERSION}"' in harness
    assert fetch_axe.URL.endswith(f"axe-core-{fetch_axe.VERSION}.tgz")
