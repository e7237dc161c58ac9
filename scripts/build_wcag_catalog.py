"""Build data/wcag22.json from W3C's WCAG 2.2 JSON (../shared/reference/).

Usage: python scripts/build_wcag_catalog.py [PATH_TO_wcag.json]
The output is committed; re-run only when the reference changes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "w3c-wcag_guidelines_wcag.json"


def build(source: Path) -> dict[str, object]:
    """Flatten principles → guidelines → success criteria."""
    doc = json.loads(source.read_text(encoding="utf-8"))
    criteria = []
    for principle in doc["principles"]:
        for guideline in principle["guidelines"]:
            for sc in guideline["successcriteria"]:
                criteria.append(
                    {
                        "num": sc["num"],
                        "title": sc["handle"],
                        "level": sc["level"] or "",
                        "versions": sc["versions"],
                        "in_wcag22": "2.2" in sc["versions"],
                        "principle_num": principle["num"],
                        "principle": principle["handle"],
                        "guideline_num": guideline["num"],
                        "guideline": guideline["handle"],
                        "slug": sc["id"].split(":", 1)[1],
                        "alt_slugs": sc.get("alt_id") or [],
                    }
                )
    return {
        "source": "W3C WCAG 2.2 guidelines JSON (w3c/wcag guidelines/wcag.json), "
        "W3C Document License",
        "criteria": criteria,
    }


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    out = ROOT / "data" / "wcag22.json"
    out.write_text(json.dumps(build(source), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
