"""Build hook: compiles the optional C scanner of the term matcher (src/a11y_judge/_termscan.c).

Where no C compiler or no Python headers are found the package is built without it and the
matcher uses its regular expression, which gives the same results more slowly (the build says
so; `a11y-judge --version` tells which one is in use).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("src/a11y_judge/_termscan.c")


def compile_scanner(root: Path) -> Path | None:
    """Compile the scanner next to its source; its path, or None (with the reason on stderr)."""
    source = root / SOURCE
    target = source.with_name("_termscan" + str(sysconfig.get_config_var("EXT_SUFFIX")))
    compiler = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    include = sysconfig.get_paths()["include"]
    command = [*compiler, "-O2", "-shared", "-fPIC", f"-I{include}", str(source), "-o", str(target)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(
            f"a11y-judge: C scanner not built ({exc}); using the pure-Python one", file=sys.stderr
        )
        return None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["compiler failed"])[-1]
        print(
            f"a11y-judge: C scanner not built ({reason}); using the pure-Python one",
            file=sys.stderr,
        )
        return None
    return target


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc]
    """Adds the compiled scanner to the wheel (an editable install finds it in src/)."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        target = compile_scanner(Path(self.root))
        if target is None:
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":
            build_data["force_include"][str(target)] = f"a11y_judge/{target.name}"
