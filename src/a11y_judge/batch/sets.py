"""Where a batch's sets come from: a folder, a manifest, or a ZIP with a folder's layout.

Folder: one sub-folder per set, holding `audit.*` (any supported audit format) and a `plans/`
folder; or the audit and plans side by side, the audit being the file with "audit" in its name.
A folder that itself holds an audit and plans is one set.

Manifest (CSV, JSON or YAML): set name, audit path and plan paths, relative to the manifest.
CSV columns `set`, `audit`, `plans` (paths separated by `;`), or one row per plan with `plan`;
JSON or YAML a list of `{"name", "audit", "plans": [...]}` (or `{"sets": [...]}`).

A set with no audit, several candidate audits or no plans is kept with that problem (reported,
not run); the others run.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from a11y_judge.errors import A11yJudgeError, IngestError
from a11y_judge.ingest import PLAN_SUFFIXES
from a11y_judge.ingest.guards import Unpacking, zip_entries
from a11y_judge.ingest.limits import Limits, current_limits

AUDIT_SUFFIXES = (*PLAN_SUFFIXES, ".json", ".csv", ".yaml", ".yml")
MANIFEST_SUFFIXES = (".csv", ".json", ".yaml", ".yml")
#: The batch ZIP's limits, read from `current_limits()` when asked for (see ingest/limits.py):
#: entries (zip_entries), bytes once extracted (batch_mb), bytes of one file (upload_mb).
_LIMIT_NAMES = {
    "MAX_ENTRIES": lambda lim: lim.zip_entries,
    "MAX_TOTAL_BYTES": lambda lim: lim.bytes("batch_mb"),
    "MAX_FILE_BYTES": lambda lim: lim.bytes("upload_mb"),
}


def __getattr__(name: str) -> int:
    """MAX_ENTRIES, MAX_TOTAL_BYTES, MAX_FILE_BYTES: the current limits, not import-time ones."""
    if name in _LIMIT_NAMES:
        return int(_LIMIT_NAMES[name](current_limits()))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class SetSource:
    """One set: its name, audit path and plan paths, or the problem that stops it."""

    name: str
    audit: str | None
    plans: list[str]
    problem: str | None = None


class BatchInputError(A11yJudgeError):
    """The batch's source cannot be read at all."""


def discover(path: str | Path) -> list[SetSource]:
    """The sets of a folder or manifest (see the module docstring)."""
    p = Path(path)
    if not p.exists():
        raise BatchInputError(
            f"{p} does not exist", hint="Give a folder of sets or a manifest (CSV, JSON, YAML)"
        )
    sets = _from_manifest(p) if p.is_file() else _from_folder(p)
    if not sets:
        raise BatchInputError(
            f"{p} holds no sets",
            hint="Put one sub-folder per set (audit.* and plans/), or list them in a manifest",
        )
    names = [s.name for s in sets]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise BatchInputError(
            f"set names must be unique; repeated: {', '.join(twice)}",
            hint="Rename the folders or the manifest rows",
        )
    return sets


def _documents(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(
        f
        for f in folder.iterdir()
        if f.is_file() and not f.name.startswith(".") and f.suffix.lower() in suffixes
    )


def _is_set(folder: Path) -> bool:
    """A folder holding plans/ or a file named audit-something is a set, not a folder of sets."""
    return (folder / "plans").is_dir() or any(
        f.is_file() and "audit" in f.stem.lower() for f in folder.iterdir()
    )


def _from_folder(root: Path) -> list[SetSource]:
    if _is_set(root):
        return [_folder_set(root)]
    subs = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    return [_folder_set(d) for d in subs]


def _folder_set(folder: Path) -> SetSource:
    name = folder.name
    files = _documents(folder, AUDIT_SUFFIXES)
    audits = [f for f in files if "audit" in f.stem.lower()]
    plans_dir = folder / "plans"
    if plans_dir.is_dir():
        plans = _documents(plans_dir, PLAN_SUFFIXES)
        if not audits and len(files) == 1:
            audits = files
    else:
        plans = [f for f in files if f not in audits and f.suffix.lower() in PLAN_SUFFIXES]
    if not audits:
        return SetSource(
            name, None, [str(p) for p in plans], f"no audit in {folder} (name it audit.*)"
        )
    if len(audits) > 1:
        listed = ", ".join(a.name for a in audits)
        return SetSource(
            name, None, [str(p) for p in plans], f"several audits in {folder}: {listed}"
        )
    if not plans:
        return SetSource(name, str(audits[0]), [], f"no plans in {folder} (put them in plans/)")
    return SetSource(name, str(audits[0]), [str(p) for p in plans])


def _from_manifest(path: Path) -> list[SetSource]:
    suffix = path.suffix.lower()
    if suffix not in MANIFEST_SUFFIXES:
        raise BatchInputError(
            f"{path.name} is not a manifest",
            hint="A manifest is CSV, JSON or YAML; or give the folder of sets",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
        rows = _csv_rows(text) if suffix == ".csv" else _doc_rows(text, suffix)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise BatchInputError(
            f"{path.name} cannot be read as a manifest ({exc})",
            hint="Columns/keys: set name, audit, plans",
        ) from exc
    base = path.parent
    sets = []
    for name, audit, plans in rows:
        audit_path = str((base / audit).resolve()) if audit else None
        plan_paths = [str((base / p).resolve()) for p in plans]
        problem = None
        if not audit:
            problem = "the manifest gives no audit"
        elif not plans:
            problem = "the manifest gives no plans"
        else:
            missing = [p for p in [audit_path, *plan_paths] if p and not Path(p).is_file()]
            if missing:
                problem = f"file not found: {missing[0]}"
        sets.append(SetSource(name, audit_path, plan_paths, problem))
    return sets


def _csv_rows(text: str) -> list[tuple[str, str, list[str]]]:
    reader = csv.DictReader(io.StringIO(text))
    fields = {f.strip().lower(): f for f in reader.fieldnames or []}
    name_key = fields.get("set") or fields.get("name")
    if not name_key or "audit" not in fields or not ({"plans", "plan"} & set(fields)):
        raise ValueError("the header needs set (or name), audit and plans (or plan) columns")
    merged: dict[str, tuple[str, list[str]]] = {}
    for row in reader:
        name = (row.get(name_key) or "").strip()
        if not name:
            continue
        audit = (row.get(fields["audit"]) or "").strip()
        cell = row.get(fields.get("plans", "")) or row.get(fields.get("plan", "")) or ""
        plans = [p.strip() for p in cell.split(";") if p.strip()]
        held = merged.setdefault(name, (audit, []))
        merged[name] = (held[0] or audit, held[1] + plans)
    return [(name, audit, plans) for name, (audit, plans) in merged.items()]


def _doc_rows(text: str, suffix: str) -> list[tuple[str, str, list[str]]]:
    doc: Any = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    if isinstance(doc, dict):
        doc = doc.get("sets")
    if not isinstance(doc, list):
        raise ValueError("expected a list of sets (or a mapping with 'sets')")
    rows = []
    for i, entry in enumerate(doc, start=1):
        if not isinstance(entry, dict):
            raise ValueError(f"set {i} is not a mapping")
        plans = entry.get("plans") or []
        if isinstance(plans, str):
            plans = [plans]
        rows.append(
            (
                str(entry.get("name") or entry.get("set") or f"set-{i}"),
                str(entry.get("audit") or ""),
                [str(p) for p in plans],
            )
        )
    return rows


def extract_zip(data: bytes, dest: Path) -> Path:
    """Unpack an uploaded ZIP into `dest` (which must be empty or new) and return it.

    Refuses, before writing anything: entries outside the archive (absolute paths, `..`),
    links, more than `zip_entries` entries, a file over `upload_mb` or more than `batch_mb` in
    all as the central directory declares them. While unpacking (into a temporary folder beside
    `dest`, renamed to `dest` only when complete) it counts the bytes actually decompressed and
    stops at the same limits; on any error nothing is left behind.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise BatchInputError("the upload is not a ZIP archive", hint="Upload a .zip") from exc
    limits = current_limits()
    with archive:
        try:
            entries = zip_entries(
                archive,
                "the ZIP",
                what="ZIP",
                total_limit="batch_mb",
                entry_limit="upload_mb",
                limits=limits,
            )
        except IngestError as exc:
            raise _batch_error(exc) from exc
        for e in entries:
            parts = PurePosixPath(e.filename.replace("\\", "/")).parts
            if e.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise BatchInputError(
                    f"the ZIP entry {e.filename!r} points outside the archive",
                    hint="Zip the folder of sets itself, with relative paths",
                )
            if stat.S_ISLNK(e.external_attr >> 16):
                raise BatchInputError(
                    f"the ZIP entry {e.filename!r} is a link", hint="Zip the files themselves"
                )
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
        try:
            _unpack(archive, entries, staging, limits)
            if dest.exists():
                dest.rmdir()  # empty (the contract); a non-empty dest raises OSError
            staging.rename(dest)
        except IngestError as exc:
            raise _batch_error(exc) from exc
        except OSError as exc:
            raise BatchInputError(
                f"the ZIP cannot be unpacked into {dest} ({exc.strerror or exc})",
                hint="Check the disk space and the folder's permissions",
            ) from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # gone already when renamed
    entries_at_top = [d for d in dest.iterdir() if not d.name.startswith((".", "__MACOSX"))]
    if len(entries_at_top) == 1 and entries_at_top[0].is_dir() and not _is_set(dest):
        return entries_at_top[0]  # the ZIP of a folder: its sets are one level down
    return dest


def _batch_error(exc: IngestError) -> BatchInputError:
    """The limit error of the ZIP as the batch's own error."""
    return BatchInputError(exc.message.removeprefix(f"{exc.filename}: "), hint=exc.hint)


def _unpack(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], root: Path, limits: Limits
) -> None:
    """Write the (already vetted) entries under root, counting what is really decompressed."""
    unpacking = Unpacking(
        archive, "the ZIP", total_limit="batch_mb", entry_limit="upload_mb", limits=limits
    )
    for e in entries:
        target = root.joinpath(*PurePosixPath(e.filename.replace("\\", "/")).parts)
        if e.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(unpacking.read(e))
