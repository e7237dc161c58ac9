"""Build data/tool_rules.json: what each tool rule and technique code means.

Sources are the tools' own documented texts, read from their published npm packages:

- axe-core 4.10.3 — every rule (`axe._audit.rules`: id, CSS selector, tags, checks) with its
  English help, description and check messages (`locales/_template.json`);
- Lighthouse 13.5.0 — every accessibility audit's id, title, failure title and description
  (`core/audits/accessibility/**.js`);
- HTML_CodeSniffer 2.5.1 — every WCAG message code with its English text
  (`Translations/en.js`), plus the H91 name/value codes it builds per element type
  (`4_1_2.js`), with the W3C technique titles from WCAG 2.2's JSON (../shared/reference).

For each entry the script derives, from those texts and the project's lexicon
(src/a11y_judge/lexicon.py): the problem areas (topics), the affected element kinds and the
fixes the tool itself names. A few rules whose texts say too little get their meaning from
`OVERRIDES` below, each with its reason. Run it again after changing the lexicon:

    python scripts/build_rule_catalog.py            # npm-packs the three packages to a temp dir
    python scripts/build_rule_catalog.py --packages DIR   # DIR holds the unpacked packages

It needs Node.js and npm (to read axe-core's rules); the product only reads the JSON it writes.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from a11y_judge.lexicon import (  # noqa: E402
    TOPIC_BY_ID,
    elements_in,
    topics_for_sc,
    topics_in,
)

PACKAGES = {
    "axe-core": "4.10.3",
    "lighthouse": "13.5.0",
    "html_codesniffer": "2.5.1",
}
WCAG_JSON = ROOT.parent / "shared" / "reference" / "w3c-wcag_guidelines_wcag.json"
OUT = ROOT / "data" / "tool_rules.json"

#: CSS selector tokens of axe rules → element kinds.
SELECTOR_KINDS = {
    "select": "select",
    "button": "button",
    "a": "link",
    "area": "image",
    "img": "image",
    "svg": "image",
    "object": "image",
    "input": "input",
    "textarea": "textarea",
    "html": "page",
    "body": "page",
    "meta": "page",
    "frame": "frame",
    "iframe": "frame",
    "video": "media",
    "audio": "media",
    "h1": "heading",
    "table": "table",
    "th": "table",
    "td": "table",
    "ul": "list",
    "ol": "list",
    "li": "list",
    "dl": "list",
    "dd": "list",
    "dt": "list",
    "summary": "button",
    "header": "page",
    "footer": "page",
    "main": "page",
    "aside": "page",
    "p": "text",
    "marquee": "text",
    "blink": "text",
}
ROLE_KINDS = {
    "link": "link",
    "button": "button",
    "img": "image",
    "graphics-symbol": "image",
    "dialog": "dialog",
    "alertdialog": "dialog",
    "checkbox": "checkbox",
    "radio": "radio",
    "combobox": "select",
    "listbox": "select",
    "searchbox": "input",
    "textbox": "input",
    "slider": "input",
    "spinbutton": "input",
    "switch": "checkbox",
    "menuitem": "button",
    "menuitemcheckbox": "checkbox",
    "menuitemradio": "radio",
    "tab": "button",
    "treeitem": "link",
    "heading": "heading",
    "tooltip": "text",
    "meter": "image",
    "progressbar": "image",
    "banner": "page",
    "main": "page",
    "contentinfo": "page",
    "complementary": "page",
}
#: HTML_CodeSniffer element names in H91 codes ('InputEmail', 'Select') → element kinds.
HTMLCS_NODE_KINDS = {
    "a": "link",
    "button": "button",
    "div": "button",
    "span": "button",
    "fieldset": "radio",
    "select": "select",
    "textarea": "textarea",
    "inputbutton": "button",
    "inputimage": "button",
    "inputcheckbox": "checkbox",
    "inputradio": "radio",
    "inputrange": "input",
}

#: Where a rule's own texts do not name its problem area or elements. Each with its reason.
OVERRIDES: dict[str, dict[str, list[str]]] = {
    # 'Touch targets' and 'sufficient space' name no element: targets are controls and links.
    "axe:target-size": {"elements": ["button", "link", "input", "checkbox", "radio"]},
    # The rule is about the name of an ARIA command: buttons, links and menu items.
    "axe:aria-command-name": {"elements": ["button", "link"]},
    # Landmarks and headings are page structure; bypass is satisfied by landmarks or skip links.
    "axe:bypass": {"topics": ["bypass", "landmarks"]},
    "axe:region": {"topics": ["landmarks"]},
    # Colour contrast applies to text; the enhanced rule is the AAA version of the same problem.
    "axe:color-contrast": {"elements": ["text", "button", "link", "input"]},
    "axe:color-contrast-enhanced": {"elements": ["text", "button", "link", "input"]},
    # A label that exists only as title/placeholder is a form-label problem of fields.
    "axe:label-title-only": {"topics": ["form-labels"]},
    # Focusable-but-hidden content is its own problem, not naming.
    "axe:aria-hidden-focus": {"topics": ["hidden-focus", "keyboard"]},
    "axe:frame-focusable-content": {"topics": ["keyboard", "frame-title"]},
    # Positive tabindex breaks the focus order.
    "axe:tabindex": {"topics": ["sequence"]},
    "axe:accesskeys": {"topics": ["shortcuts"]},
    # Meta refresh is a time limit; autoplaying media must be pausable.
    "axe:meta-refresh": {"topics": ["timing"]},
    "axe:meta-refresh-no-exceptions": {"topics": ["timing"]},
    "axe:no-autoplay-audio": {"topics": ["pause-stop"], "elements": ["media"]},
    # Duplicate ids break label and ARIA references.
    "axe:duplicate-id-aria": {"topics": ["duplicate-id", "form-labels"]},
    # 'Caption' in these table rules is a table's <caption>, not media captions; 'label' in
    # landmark-unique is the landmark's name; th-has-data-cells is about table headers.
    "axe:table-duplicate-name": {"topics": ["tables"]},
    "axe:table-fake-caption": {"topics": ["tables"]},
    "axe:landmark-unique": {"topics": ["landmarks"]},
    "axe:th-has-data-cells": {"topics": ["tables"]},
    # The selector excludes select/textarea; scrollable regions are any container.
    "axe:scrollable-region-focusable": {
        "topics": ["scrollable-region", "keyboard"],
        "elements": [],
    },
    "axe:nested-interactive": {"topics": ["nested-interactive"], "elements": ["button", "link"]},
    "lighthouse:focus-traps": {"topics": ["keyboard-trap"], "elements": []},
    "lighthouse:use-landmarks": {"topics": ["landmarks", "bypass"]},
    # Not a problem area: the rule only says frames were not tested / content needs review.
    "axe:frame-tested": {"topics": ["frame-content"]},
    "axe:hidden-content": {"topics": ["structure"]},
    # HTMLCS: the H32 message is about the form's submit button, G1/G123/G124 about skip links.
    "htmlcs:H32.2": {"topics": ["submit-button"], "elements": ["form", "button"]},
    "htmlcs:G1,G123,G124.NoSuchID": {"topics": ["bypass"], "elements": ["link"]},
    "htmlcs:G1,G123,G124.NoSuchIDFragment": {"topics": ["bypass"], "elements": ["link"]},
    # F68 and H44 are about labels of form fields.
    "htmlcs:F68": {"topics": ["form-labels"], "elements": ["field"]},
    "htmlcs:H44.NonExistent": {"topics": ["form-labels"], "elements": ["field"]},
    "htmlcs:H44.NonExistentFragment": {"topics": ["form-labels"], "elements": ["field"]},
    "htmlcs:H44.NotFormControl": {"topics": ["form-labels"], "elements": ["field"]},
    "htmlcs:H93": {"topics": ["form-labels", "duplicate-id"], "elements": ["field"]},
    # H91 anchors without content or href are link-naming problems.
    "htmlcs:H91.A.NoContent": {"topics": ["accessible-name"], "elements": ["link"]},
    "htmlcs:H91.A.EmptyNoId": {"topics": ["accessible-name"], "elements": ["link"]},
    "htmlcs:H91.A.Empty": {"topics": ["accessible-name"], "elements": ["link"]},
    "htmlcs:H91.A.EmptyWithName": {"topics": ["accessible-name"], "elements": ["link"]},
    "htmlcs:H91.A.Placeholder": {"topics": ["accessible-name"], "elements": ["link"]},
    "htmlcs:H91.A.NoHref": {"topics": ["accessible-name"], "elements": ["link"]},
    # G18 / G145: text contrast; F24: colours set on one side only.
    "htmlcs:G18_or_G145.Fail": {"topics": ["contrast"], "elements": ["text", "button", "link"]},
    "htmlcs:G18_or_G17.Fail": {"topics": ["contrast"], "elements": ["text", "button", "link"]},
    # An image submit button's alt text is a text alternative, not a submit-button problem.
    "htmlcs:H36": {"topics": ["text-alternative"], "elements": ["button", "image"]},
    "htmlcs:G94.Button": {"topics": ["text-alternative"], "elements": ["button", "image"]},
    # 'caption' here is a table's <caption>, not media captions.
    "htmlcs:H39,H73.4": {"topics": ["tables"]},
    "htmlcs:H39.3.LayoutTable": {"topics": ["tables"]},
    # A fieldset's name is its legend: a grouping problem of radio buttons and checkboxes.
    "htmlcs:H91.Fieldset.Name": {"topics": ["grouping"], "elements": ["radio", "checkbox"]},
    # H42: heading markup; H39/H43/H63/H73: data table markup; H71/H85: grouping.
    "htmlcs:H42": {"topics": ["headings"], "elements": ["heading"]},
    "htmlcs:H42.2": {"topics": ["headings"], "elements": ["heading"]},
}


def npm_pack(dest: Path) -> Path:
    """Fetch and unpack the three packages from the npm registry into dest."""
    for name, version in PACKAGES.items():
        subprocess.run(
            ["npm", "pack", f"{name}@{version}", "--silent"],
            cwd=dest,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        archive = next(dest.glob(f"{name}-{version}.tgz"))
        target = dest / f"{name}-{version}"
        target.mkdir(exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
    return dest


def _package(root: Path, name: str) -> Path:
    return root / f"{name}-{PACKAGES[name]}" / "package"


def axe_rules(root: Path) -> list[dict[str, object]]:
    """axe rules with selector, tags, checks and English texts (read by Node.js)."""
    pkg = _package(root, "axe-core")
    script = """
const axe = require(process.argv[1] + '/axe.js');
const t = require(process.argv[1] + '/locales/_template.json');
const ids = (cs) => cs.map((c) => (typeof c === 'string' ? c : c.id));
const out = axe._audit.rules.map((r) => ({
  id: r.id, selector: r.selector, tags: r.tags, impact: r.impact || null,
  help: t.rules[r.id].help, description: t.rules[r.id].description,
  checks: [...ids(r.any), ...ids(r.all), ...ids(r.none)].map((c) => ({
    id: c, pass: (t.checks[c] || {}).pass || '' })),
}));
process.stdout.write(JSON.stringify(out));
"""
    done = subprocess.run(
        ["node", "-e", script, str(pkg)], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout)


def _js_object(js_text: str, name: str) -> dict[str, str]:
    """Evaluate a `const NAME = {...};` object literal of strings with Node.js."""
    m = re.search(rf"const {name} = (\{{.*?\n\}});", js_text, re.S)
    if not m:
        return {}
    done = subprocess.run(
        ["node", "-e", f"process.stdout.write(JSON.stringify({m.group(1)}))"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout)


def lighthouse_audits(root: Path) -> list[dict[str, str]]:
    """Lighthouse accessibility audits: id, title, failure title, description."""
    folder = _package(root, "lighthouse") / "core" / "audits" / "accessibility"
    out = []
    for path in sorted(folder.rglob("*.js")):
        text = path.read_text(encoding="utf-8")
        audit_id = re.search(r"\bid: '([a-z0-9-]+)'", text)
        if not audit_id or path.name == "axe-audit.js":
            continue
        strings = _js_object(text, "UIStrings") or {  # manual audits state them inline
            k: m.group(1)
            for k in ("title", "description")
            if (m := re.search(rf"\b{k}: '((?:[^'\\]|\\.)*)'", text))
        }
        out.append(
            {
                "id": audit_id.group(1),
                "title": strings.get("title", ""),
                "failure_title": strings.get("failureTitle", ""),
                "description": re.sub(
                    r"\s*\[Learn[^\]]*\]\([^)]*\)\.?", "", strings.get("description", "")
                ).strip(),
                "manual": "manual" in path.parts,
            }
        )
    return out


def htmlcs_messages(root: Path) -> dict[str, tuple[str, str]]:
    """HTMLCS message code ('H91.A.NoContent') → (SC '4.1.2', English message)."""
    text = (_package(root, "html_codesniffer") / "Translations" / "en.js").read_text("utf-8")
    out: dict[str, tuple[str, str]] = {}
    for m in re.finditer(
        r'"(\d)_(\d{1,2})_(\d{1,2})_([^"]+)"\s*:\s*(\'(?:[^\'\\]|\\.)*\'|"[^"]*")', text
    ):
        code = m.group(4)
        message = m.group(5)[1:-1].replace("\\'", "'")
        if re.match(r"^[A-Z]{1,4}\d", code) and "Recomendation" not in code:
            out.setdefault(code, (f"{m.group(1)}.{m.group(2)}.{m.group(3)}", message))
    return out


def htmlcs_h91_codes(root: Path) -> list[tuple[str, list[str]]]:
    """The H91 codes HTMLCS builds per element ('H91.Select.Name') with the names it accepts."""
    sniff = (
        _package(root, "html_codesniffer")
        / "Standards/WCAG2AAA/Sniffs/Principle4/Guideline4_1/4_1_2.js"
    ).read_text("utf-8")
    block = re.search(r"var requiredNames = \{(.*?)\};", sniff, re.S)
    names = dict(re.findall(r"(\w+): \[([^\]]*)\]", block.group(1))) if block else {}
    html5 = re.search(r"var html5inputTypes = \[([^\]]*)\]", sniff)
    for t in re.findall(r"'([\w-]+)'", html5.group(1) if html5 else ""):
        names[f"input_{t}"] = "'label', '@title', '@aria-label', '@aria-labelledby'"
    out = []
    for node, accepted in names.items():
        parts = node.split("_", 1)
        sub = "Input" + parts[1].capitalize() if parts[0] == "input" else node.capitalize()
        out.append((sub, re.findall(r"'([^']+)'", accepted)))
    for sub in ("Div", "Span", "A"):  # elements with role="button", and links
        out.append((sub, ["_content", "@aria-label", "@aria-labelledby"]))
    return out


def technique_titles() -> dict[str, str]:
    """W3C technique id ('H91') → title, from WCAG 2.2's JSON."""
    if not WCAG_JSON.exists():
        return {}
    titles: dict[str, str] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            tid = node.get("id")
            if isinstance(tid, str) and tid.startswith("TECH:") and node.get("title"):
                titles.setdefault(tid[5:], str(node["title"]))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(WCAG_JSON.read_text("utf-8")))
    return titles


def _selector_kinds(selector: str) -> set[str]:
    kinds = set()
    for tag in re.findall(r"(?:^|[\s,>(])([a-z][a-z0-9]*)", selector):
        if tag in SELECTOR_KINDS:
            kinds.add(SELECTOR_KINDS[tag])
        elif re.fullmatch(r"h[1-6]", tag):
            kinds.add("heading")
    for role in re.findall(r"role=[\"']?([a-z-]+)", selector):
        if role in ROLE_KINDS:
            kinds.add(ROLE_KINDS[role])
    if re.search(r"type=[\"']?(?:button|submit|reset)", selector):
        kinds.discard("input")
        kinds.add("button")
    if re.search(r"type=[\"']?image", selector):
        kinds.discard("input")
        kinds.add("button")
        kinds.add("image")
    return kinds


def _wcag(tags: list[str]) -> list[str]:
    out = []
    for t in tags:
        m = re.fullmatch(r"wcag(\d)(\d)(\d{1,2})", t)
        if m:
            out.append(".".join(m.groups()))
    return out


def _text(message: object) -> str:
    """A check message; plural forms keep their singular."""
    if isinstance(message, dict):
        message = message.get("singular") or next(iter(message.values()), "")
    return re.sub(r"\$\{[^}]*\}", "…", str(message))


def _apply(key: str, entry: dict[str, object]) -> dict[str, object]:
    override = OVERRIDES.get(key, {})
    for field in ("topics", "elements"):
        if field in override:
            entry[field] = sorted(override[field])
    for topic in entry["topics"]:  # type: ignore[attr-defined]
        if topic not in TOPIC_BY_ID:
            raise SystemExit(f"{key}: unknown topic {topic}")
    return entry


def build(root: Path) -> dict[str, object]:
    axe = {}
    for r in axe_rules(root):
        text = f"{r['id']} {r['help']} {r['description']}"
        kinds = _selector_kinds(str(r["selector"])) or elements_in(text)
        fixes = sorted({_text(c["pass"]) for c in r["checks"] if c["pass"]})  # type: ignore[index]
        axe[r["id"]] = _apply(
            f"axe:{r['id']}",
            {
                "help": r["help"],
                "description": r["description"],
                "wcag": _wcag(list(r["tags"])),  # type: ignore[arg-type]
                "topics": sorted(topics_in(text)),
                "elements": sorted(kinds),
                "fixes": fixes,
            },
        )
    lighthouse = {}
    for a in lighthouse_audits(root):
        base = axe.get(a["id"], {})
        text = f"{a['id']} {a['title']} {a['failure_title']} {a['description']}"
        lighthouse[a["id"]] = _apply(
            f"lighthouse:{a['id']}",
            {
                "title": a["title"],
                "failure_title": a["failure_title"],
                "description": a["description"],
                "manual": a["manual"],
                "axe_rule": a["id"] if base else None,
                "wcag": base.get("wcag", []),
                "topics": base.get("topics") or sorted(topics_in(text)),
                "elements": base.get("elements") or sorted(elements_in(text)),
                "fixes": base.get("fixes", []),
            },
        )
    titles = technique_titles()
    htmlcs: dict[str, dict[str, object]] = {}
    for code, (sc, message) in sorted(htmlcs_messages(root).items()):
        technique = code.split(".")[0].split(",")[0]
        title = titles.get(technique, "")
        text = f"{message} {title}"
        topics = topics_in(text)
        if not topics and len(topics_for_sc(sc)) <= 2:  # the SC's own problem area
            topics = topics_for_sc(sc)
        htmlcs[code] = _apply(
            f"htmlcs:{code}",
            {
                "sc": sc,
                "message": message,
                "technique": technique,
                "technique_title": title,
                "topics": sorted(topics),
                "elements": sorted(elements_in(message)),
                "fixes": [title] if title else [],
            },
        )
    for sub, accepted in htmlcs_h91_codes(root):
        kind = HTMLCS_NODE_KINDS.get(sub.lower(), "input")
        label_like = "label" in accepted
        fixes = [
            {
                "label": "a <label> element",
                "@title": "a title attribute",
                "@aria-label": "an aria-label attribute",
                "@aria-labelledby": "an aria-labelledby attribute",
                "_content": "text content",
                "@value": "a value attribute",
                "@alt": "an alt attribute",
                "legend": "a <legend>",
            }.get(a, a)
            for a in accepted
        ]
        htmlcs[f"H91.{sub}.Name"] = _apply(
            f"htmlcs:H91.{sub}.Name",
            {
                "sc": "4.1.2",
                "message": f"This {sub} element does not have a name available to an "
                f"accessibility API. Valid names are: {', '.join(fixes)}.",
                "technique": "H91",
                "technique_title": titles.get("H91", ""),
                "topics": sorted(
                    {"accessible-name", "form-labels"} if label_like else {"accessible-name"}
                ),
                "elements": [kind],
                "fixes": fixes,
            },
        )
        htmlcs[f"H91.{sub}.Value"] = _apply(
            f"htmlcs:H91.{sub}.Value",
            {
                "sc": "4.1.2",
                "message": f"This {sub} element does not have a value available to an "
                "accessibility API.",
                "technique": "H91",
                "technique_title": titles.get("H91", ""),
                "topics": ["state"],
                "elements": [kind],
                "fixes": [],
            },
        )
    return {
        "about": "What tool rule ids and technique codes mean: problem areas (topics of "
        "src/a11y_judge/lexicon.py), affected element kinds and the fixes each tool names. "
        "Built by scripts/build_rule_catalog.py from the tools' own texts; do not edit by hand.",
        "sources": {**PACKAGES, "wcag-techniques": "WCAG 2.2 JSON (W3C)"},
        "axe": axe,
        "lighthouse": lighthouse,
        "htmlcs": htmlcs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--packages", type=Path, help="folder with the unpacked npm packages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.packages or npm_pack(Path(tmp))
        catalog = build(root)
    OUT.write_text(json.dumps(catalog, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    empty = [
        f"{tool}:{k}"
        for tool in ("axe", "lighthouse", "htmlcs")
        for k, v in catalog[tool].items()  # type: ignore[attr-defined]
        if not v["topics"] or not v["elements"]
    ]
    counts = {t: len(catalog[t]) for t in ("axe", "lighthouse", "htmlcs")}  # type: ignore[arg-type]
    print(f"wrote {OUT.relative_to(ROOT)}: {counts}")
    if empty:
        print(f"{len(empty)} entries without topics or elements:", ", ".join(empty))


if __name__ == "__main__":
    main()
