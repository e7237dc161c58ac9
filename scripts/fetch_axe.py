"""`make browser-deps`: axe-core's axe.min.js from the npm registry, pinned and checked.

The browser tests inject it into every page of the app. The tarball's sha512 (npm's
`dist.integrity`) is checked before anything is unpacked; the file is written atomically, so a
broken download never leaves a half-written axe.min.js behind.

    python scripts/fetch_axe.py .venv/axe/axe.min.js
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
URL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
SHA512 = "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
MEMBER = "package/axe.min.js"


def fetch(url: str = URL) -> bytes:
    """The tarball, or SystemExit with what to do."""
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            return bytes(resp.read())
    except OSError as exc:
        raise SystemExit(
            f"could not download {url}: {exc}\n"
            "Hint: the browser tests need network access to registry.npmjs.org once; "
            f"or put axe-core's axe.min.js (version {VERSION}) at the target path yourself."
        ) from exc


def axe_js(tarball: bytes) -> bytes:
    """axe.min.js from the tarball after its sha512 matched the pinned one."""
    digest = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if digest != SHA512:
        raise SystemExit(
            f"axe-core {VERSION} tarball has sha512-{digest}, expected sha512-{SHA512}; "
            "not installed. Hint: retry, or check for a proxy rewriting downloads."
        )
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{MEMBER} missing from {URL}")
        return member.read()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    target = Path(argv[0])
    data = axe_js(fetch())
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".axe-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"axe-core {VERSION} -> {target} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
