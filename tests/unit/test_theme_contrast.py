"""The app's theme (.streamlit/config.toml): every text colour on every background it sits on
has WCAG contrast of at least 4.5:1, in the light and the dark theme; the focus ring has 3:1."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from app.components.layout import FOCUS_COLOUR

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
PALETTE = ("red", "orange", "yellow", "blue", "green", "violet", "gray")
#: Streamlit draws captions, help text and placeholders in the text colour at 60% over the
#: background (measured: #2f2d2b on white gives #828180).
FADED = 0.6
TEXT = 4.5
NON_TEXT = 3.0


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    assert len(value) == 6, f"{colour!r}: use #rrggbb in the theme"
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def mix(front: str, back: str, alpha: float) -> str:
    """`front` at `alpha` opacity over `back`."""
    f, b = _rgb(front), _rgb(back)
    blend = (round(x * alpha + y * (1 - alpha)) for x, y in zip(f, b, strict=True))
    return "#" + "".join(f"{c:02x}" for c in blend)


def test_the_contrast_formula_matches_wcags_reference_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#777777", "#ffffff") < TEXT  # the classic just-failing grey
    assert mix("#2f2d2b", "#ffffff", FADED) == "#828180"  # what axe measured in Streamlit


def _pairs(theme: dict[str, str]) -> list[tuple[str, str, str]]:
    """(what, foreground, background) for every text the theme colours."""
    bg, second = theme["backgroundColor"], theme["secondaryBackgroundColor"]
    text = theme["textColor"]
    pairs = []
    for name, back in (("background", bg), ("secondary background", second)):
        pairs.append((f"text on the {name}", text, back))
        pairs.append((f"caption on the {name}", mix(text, bg, FADED), back))
        pairs.append((f"link on the {name}", theme["linkColor"], back))
    pairs.append(("primary button label", "#ffffff", theme["primaryColor"]))
    for hue in PALETTE:
        fg = theme[f"{hue}TextColor"]
        pairs.append((f"{hue} text on its background", fg, theme[f"{hue}BackgroundColor"]))
        pairs.append((f"{hue} text on the background", fg, bg))
    return pairs


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_every_theme_colour_pair_reaches_4_5_to_1(mode: str) -> None:
    theme = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["theme"][mode]
    low = [
        f"{what}: {fg} on {bg} is {contrast(fg, bg):.2f}:1"
        for what, fg, bg in _pairs(theme)
        if contrast(fg, bg) < TEXT
    ]
    assert low == []


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_focus_ring_stands_out_from_both_backgrounds(mode: str) -> None:
    theme = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["theme"][mode]
    for key in ("backgroundColor", "secondaryBackgroundColor"):
        assert contrast(FOCUS_COLOUR, theme[key]) >= NON_TEXT, (mode, key)
