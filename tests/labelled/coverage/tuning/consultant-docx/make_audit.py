"""Build audit.docx: a consultant's accessibility audit of the MyMeridian tenant repairs portal.

Needs python-docx (in the repository's .venv). audit.docx is always written next to this script, e.g.
from the repository root:  .venv/bin/python tests/labelled/coverage/final/consultant-docx/make_audit.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

HERE = Path(__file__).resolve().parent

CLIENT = "Meridian Housing Association"
SITE = "MyMeridian tenant portal (repairs.meridianhousing.org.uk)"

# id, title, wcag, table severity, section severity, location, journey,
# description, impact, steps, code, recommendation
FINDINGS = [
    dict(
        id="HC-01",
        title="Repair category tiles cannot be reached or selected with the keyboard",
        wcag="2.1.1 Keyboard (A)",
        severity="Critical",
        location="Report a repair – step 1 ‘What needs fixing?’",
        journey="4.1 Repair and booking journey",
        description=(
            "The first step of the repair wizard asks tenants to pick what needs fixing (Kitchen, Bathroom, "
            "Heating and hot water, Doors and windows, Electrics, Outside). Each option is a picture tile built "
            "from a <div> with a click handler. The tiles are not focusable, have no role and ignore Enter and "
            "Space, so the wizard cannot be started without a mouse or touch screen."
        ),
        impact=(
            "Keyboard-only users, switch users and most screen reader users cannot report a repair online at "
            "all and have to phone the contact centre, which is only staffed 8am–6pm on weekdays. This blocks "
            "the single most important task on the portal."
        ),
        steps=[
            "Sign in as the test tenant and choose ‘Report a repair’.",
            "Press Tab from the page heading.",
            "Observe that focus moves from ‘Back’ straight to the footer; no tile receives focus.",
            "With NVDA running, press B or Tab: the tiles are announced only as ‘clickable’ graphics, if at all.",
        ],
        code=(
            '<div class="tile" onclick="selectCategory(\'heating\')">\n'
            '  <img src="/assets/tiles/heating.svg" alt="">\n'
            "  <span>Heating and hot water</span>\n"
            "</div>"
        ),
        recommendation=(
            "Rebuild the tiles as a native radio group (a <fieldset> with a <legend> ‘What needs fixing?’ and one "
            '<input type="radio"> per category, styled as tiles), or as <button> elements if each tile moves '
            "straight to the next step. Do not add tabindex and key handlers to the <div>s as a patch."
        ),
    ),
    dict(
        id="HC-02",
        title="‘Add photos’ camera button has no accessible name",
        wcag="4.1.2 Name, Role, Value (A)",
        severity="High",
        location="Report a repair – step 3 ‘Show us the problem’",
        journey="4.1 Repair and booking journey",
        description=(
            "Tenants are asked to attach photos of the damage. The only control is a round icon button showing "
            "a camera glyph. It contains an SVG with no title and the button has no text, aria-label or "
            "aria-labelledby, so its accessible name is empty."
        ),
        impact=(
            "Screen reader users hear only ‘button’ and cannot tell that this is how to add photos; voice control "
            "users cannot say a name to activate it. Repairs reported without photos are more often triaged "
            "wrongly, which leads to extra visits."
        ),
        steps=[
            "Reach step 3 of the repair wizard.",
            "Tab to the round camera button beneath the description field.",
            "NVDA announces ‘button’; VoiceOver on iOS announces ‘button, double-tap to activate’.",
        ],
        code=(
            '<button type="button" class="btn-round js-upload">\n'
            '  <svg viewBox="0 0 24 24"><path d="M4 7h3l2-3h6l2 3h3v13H4z"/></svg>\n'
            "</button>"
        ),
        recommendation=(
            "Give the button a visible text label, e.g. ‘Add photos (optional)’, or at minimum "
            'aria-label="Add photos", and mark the SVG aria-hidden="true" focusable="false".'
        ),
    ),
    dict(
        id="HC-03",
        title="Available appointment dates are shown by colour alone",
        wcag="1.4.1 Use of Color (A)",
        severity="High",
        location="Book an appointment – date picker",
        journey="4.1 Repair and booking journey",
        description=(
            "In the appointment calendar, dates with free engineer slots are tinted green and fully booked dates "
            "are tinted pink. There is no text, pattern or icon difference, and the dates are exposed to "
            "assistive technology only as numbers."
        ),
        impact=(
            "Tenants with colour vision deficiencies cannot tell which dates can be booked; screen reader users "
            "get no availability information and must try each date in turn."
        ),
        steps=[
            "Continue the repair wizard to ‘Choose a date’.",
            "View the calendar in greyscale (Windows colour filters) – available and booked dates look identical.",
            "Move through the dates with a screen reader – each is read as ‘14’, ‘15’, etc. with no status.",
        ],
        code='<td class="day day--available" data-date="2025-03-14">14</td>',
        recommendation=(
            "Add a non-colour cue (e.g. a small tick icon and bold weight for available dates, strike-through for "
            "booked ones) and include the status in the accessible name, e.g. "
            'aria-label="14 March, 3 slots available". Add a legend above the calendar.'
        ),
    ),
    dict(
        id="HC-04",
        title="Ten-minute session timeout with no warning discards the repair report",
        wcag="2.2.1 Timing Adjustable (A)",
        severity="Critical",
        location="All signed-in pages, most severe in the repair wizard",
        journey="4.1 Repair and booking journey",
        description=(
            "Signed-in sessions expire after ten minutes of inactivity. No warning is shown and there is no way "
            "to extend the session. When it expires, the tenant is sent to the sign-in page and everything typed "
            "into the repair wizard is lost."
        ),
        impact=(
            "Screen reader users, people with cognitive or motor impairments and anyone describing a complex "
            "repair routinely take longer than ten minutes. In our sessions two of five participants lost their "
            "report and abandoned the task."
        ),
        steps=[
            "Start a repair report and type a description.",
            "Wait ten minutes without interacting.",
            "Select ‘Next’: the sign-in page appears and the description is gone after signing in again.",
        ],
        code="session.cookie.maxAge = 10 * 60 * 1000; // no client-side warning",
        recommendation=(
            "Warn at least 60 seconds before expiry in an accessible dialog with an ‘Extend session’ button, allow "
            "at least ten extensions, and save wizard progress as a draft so nothing is lost on expiry. Consider "
            "20 hours for the idle limit on this low-risk journey."
        ),
    ),
    dict(
        id="HC-05",
        title="Form errors are shown only as a red border",
        wcag="3.3.1 Error Identification (A)",
        severity="High",
        location="Report a repair – steps 2 and 4; Sign in",
        journey="4.1 Repair and booking journey",
        description=(
            "When a required field is left empty or the phone number is invalid, the field border turns red. No "
            "error text is shown, nothing is announced, and the field is not marked aria-invalid."
        ),
        impact=(
            "Screen reader users and people who cannot distinguish red do not know the form was rejected or "
            "which field is wrong; users repeatedly press ‘Next’ with no result."
        ),
        steps=[
            "On step 4 ‘Your contact details’, enter ‘0123’ in Phone number.",
            "Select ‘Next’.",
            "Only the border colour changes; no message appears and NVDA says nothing.",
        ],
        code='<input id="phone" class="input input--error" type="tel" name="phone">',
        recommendation=(
            "Show a text error next to each invalid field (e.g. ‘Enter a UK phone number, like 07700 900 982’), "
            'link it with aria-describedby, set aria-invalid="true", and show an error summary at the top of the '
            "step that receives focus on submit."
        ),
    ),
    dict(
        id="HC-06",
        title="Keyboard focus indicator is removed across the portal",
        wcag="2.4.7 Focus Visible (AA)",
        severity="High",
        location="Global stylesheet (all pages)",
        journey="4.2 Site-wide styling",
        description=(
            "The global reset sets outline: none on a, button, input and select under :focus, and no alternative "
            "focus style is provided. Only the browser’s text caret in inputs shows where focus is."
        ),
        impact=(
            "Sighted keyboard users cannot see where they are on the page, and lose their place in the wizard, "
            "the appointment calendar and the header menu."
        ),
        steps=[
            "Open any page and press Tab repeatedly.",
            "Observe that no visible indicator follows focus on links or buttons.",
        ],
        code="*:focus { outline: none; }",
        recommendation=(
            "Remove the reset and add a clear :focus-visible style, e.g. outline: 3px solid #1d70b8; "
            "outline-offset: 2px, checked for 3:1 contrast against adjacent colours."
        ),
    ),
    dict(
        id="HC-07",
        title="Grey hint and helper text has insufficient contrast",
        wcag="1.4.3 Contrast (Minimum) (AA)",
        severity="Medium",
        section_severity="Low",
        location="Hint text under form fields; ‘Last updated’ lines on My repairs",
        journey="4.2 Site-wide styling",
        description=(
            "Hint text beneath form fields (e.g. ‘Tell us where in the room the problem is’) and the ‘Last updated’ "
            "timestamps on the My repairs list use #A0A0A0 on white, a contrast ratio of 2.6:1."
        ),
        impact=(
            "Low-vision users and anyone using a phone outdoors struggle to read guidance that helps them "
            "describe the repair correctly."
        ),
        steps=[
            "Open step 2 of the repair wizard or the My repairs page.",
            "Measure the hint text colour with the Colour Contrast Analyser: 2.6:1 against #FFFFFF.",
        ],
        code=".hint, .repair-card__updated { color: #a0a0a0; font-size: 14px; }",
        recommendation="Darken the text to at least #767676 (4.5:1); #595959 (7:1) is preferred for small text.",
    ),
    dict(
        id="HC-08",
        title="Photo upload progress and repair status changes are not announced",
        wcag="4.1.3 Status Messages (AA)",
        severity="Medium",
        location="Report a repair – step 3; My repairs",
        journey="4.3 Feedback, content and dialogs",
        description=(
            "After a photo is chosen, a progress bar and then ‘2 photos added’ appear visually, and on My repairs a "
            "toast reads ‘Your repair status has been updated’. None of these are in a live region or use "
            'role="status", so screen readers do not announce them.'
        ),
        impact=(
            "Screen reader users do not know whether the upload worked and often upload the same photo several "
            "times, or miss that an appointment has been confirmed."
        ),
        steps=[
            "On step 3, add a photo with NVDA running.",
            "Nothing is announced while the upload runs or when it finishes.",
        ],
        code='<div class="upload-progress"><span class="upload-count">2 photos added</span></div>',
        recommendation=(
            'Put the upload count and the status toast in a container with role="status" (aria-live="polite") '
            "that exists in the DOM before the message is inserted."
        ),
    ),
    dict(
        id="HC-09",
        title="Emergency repairs phone number is only shown as an image",
        wcag="1.1.1 Non-text Content (A)",
        severity="High",
        location="Home page banner and Report a repair start page",
        journey="4.3 Feedback, content and dialogs",
        description=(
            "The red banner ‘Gas leak, flood or no heating? Call 0800 014 2277 now’ is a single PNG image with "
            'alt="banner". The number is not available as text.'
        ),
        impact=(
            "Blind tenants cannot get the emergency number from the portal; it also cannot be enlarged without "
            "blurring, copied, or tapped to call. This is a safety issue."
        ),
        steps=[
            "Open the home page with a screen reader.",
            "The banner is announced as ‘banner, graphic’.",
        ],
        code='<img src="/assets/img/emergency-banner.png" alt="banner">',
        recommendation=(
            'Replace the image with real text and a tel: link (<a href="tel:08000142277">0800 014 2277</a>). '
            "If an image must stay, its alt must contain the full message and number."
        ),
    ),
    dict(
        id="HC-10",
        title="Focus is not moved into or returned from the ‘Cancel this repair?’ dialog",
        wcag="2.4.3 Focus Order (A)",
        severity="Medium",
        location="My repairs – ‘Cancel repair’ confirmation dialog",
        journey="4.3 Feedback, content and dialogs",
        description=(
            "Selecting ‘Cancel repair’ opens a custom dialog, but focus stays on the button behind the overlay. "
            "Tab moves through the page behind the dialog before reaching it, and after closing it focus goes to "
            "the top of the page."
        ),
        impact=(
            "Keyboard and screen reader users may not realise a dialog has opened, and risk acting on the wrong "
            "repair; they lose their place in a long list after closing it."
        ),
        steps=[
            "On My repairs, Tab to ‘Cancel repair’ on the second repair and press Enter.",
            "Press Tab: focus moves to the next repair card behind the overlay.",
            "Close the dialog with ‘Keep repair’: focus returns to the page top.",
        ],
        code='<div class="overlay" id="cancel-dialog" style="display:block">…</div>',
        recommendation=(
            'Use a native <dialog> opened with showModal(), or role="dialog" with aria-modal="true" and '
            "aria-labelledby; move focus to the dialog heading on open, keep focus inside while open, close on "
            "Escape and return focus to the ‘Cancel repair’ button that opened it."
        ),
    ),
    dict(
        id="HC-11",
        title="‘How to repressurise your boiler’ video has no captions",
        wcag="1.2.2 Captions (Prerecorded) (A)",
        severity="Medium",
        location="Help & advice – Heating",
        journey="4.3 Feedback, content and dialogs",
        description=(
            "The self-help video (3 min 40 s) explains how to check and top up boiler pressure before reporting a "
            "heating fault. The embedded player has no caption track and the video has no transcript."
        ),
        impact=(
            "Deaf and hard-of-hearing tenants cannot follow the spoken instructions, which include safety steps, "
            "and raise avoidable repair jobs instead."
        ),
        steps=[
            "Open Help & advice › Heating.",
            "Play the video: the CC button is absent and no transcript link is offered.",
        ],
        code='<video src="/media/boiler-pressure.mp4" controls></video>',
        recommendation=(
            'Add accurate, human-checked WebVTT captions (<track kind="captions" srclang="en" default>) and '
            "publish a text transcript below the video."
        ),
    ),
]

RETEST = [
    (
        "MH-2023-04",
        "Sign-in page had no visible labels for email and password",
        "1.3.1 / 3.3.2",
        "Resolved",
    ),
    ("MH-2023-09", "Rent statement PDFs were untagged", "1.3.1", "Resolved"),
]


def shade(cell, hex_fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), hex_fill)
    tc_pr.append(shd)


def header_row(table, labels) -> None:
    for cell, label in zip(table.rows[0].cells, labels):
        cell.text = ""
        run = cell.paragraphs[0].add_run(label)
        run.bold = True
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        shade(cell, "1F3A5F")
    # repeat header row on each page
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def code_block(doc, text: str) -> None:
    for line in text.split("\n"):
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.left_indent = Pt(18)
        run = p.add_run(line)
        run.font.name = "Consolas"
        run.font.size = Pt(9)
    doc.add_paragraph()


def build() -> Path:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)

    doc.core_properties.title = f"Accessibility audit – {SITE}"
    doc.core_properties.author = "Harrow & Finch Accessibility Consulting"

    doc.add_paragraph(f"Accessibility Audit Report: {SITE}", style="Title")
    sub = doc.add_paragraph(
        f"Prepared for {CLIENT} by Harrow & Finch Accessibility Consulting · Version 1.1 · 3 March 2025"
    )
    sub.alignment = WD_ALIGN_PARAGRAPH.LEFT
    doc.add_paragraph("Classification: Client confidential")

    doc.add_heading("1. Executive summary", level=1)
    doc.add_paragraph(
        "Meridian Housing Association asked us to assess the MyMeridian tenant portal against WCAG 2.2 level AA "
        "ahead of its move to the new housing management system. The portal is used by around 14,000 "
        "households, a high proportion of whom are older or disabled, and its core task – reporting a repair – "
        "is one tenants cannot easily do any other way outside office hours."
    )
    doc.add_paragraph(
        "We found 11 open issues: 2 critical, 5 high and 4 medium. The two critical issues each stop a tenant "
        "from completing a repair report: the repair category tiles cannot be used with a keyboard (HC-01) and "
        "a ten-minute session timeout silently discards work (HC-04). The emergency repairs number being "
        "available only as an image (HC-09) is rated high but should be treated as a safety priority."
    )
    doc.add_paragraph(
        "Two issues raised in our 2023 audit have been fixed and were confirmed in retest (section 5). Overall "
        "the portal does not currently meet WCAG 2.2 AA. We recommend fixing the critical and high issues "
        "before the migration go-live and re-auditing the repair journey afterwards."
    )

    doc.add_heading("2. Scope and method", level=1)
    doc.add_heading("2.1 Scope", level=2)
    doc.add_paragraph(
        "Pages and journeys in scope: sign in; home; report a repair (5-step wizard); book an appointment; My "
        "repairs (list, detail, cancel); Help & advice (Heating section). Out of scope: the rent payment "
        "service (provided by a third party) and the staff back office."
    )
    doc.add_heading("2.2 Method", level=2)
    doc.add_paragraph(
        "Testing took place between 10 and 21 February 2025 on the staging environment. We combined manual "
        "expert review against each WCAG 2.2 A and AA success criterion, automated scanning with axe DevTools "
        "as a first pass, and task-based sessions with five tenants who use assistive technology."
    )
    for item in [
        "Windows 11: NVDA 2024.4 with Firefox 135; JAWS 2025 with Chrome 133",
        "macOS 15: VoiceOver with Safari 18",
        "iOS 18: VoiceOver with Safari; Android 15: TalkBack with Chrome",
        "Keyboard only; Dragon NaturallySpeaking 16; Windows Magnifier at 400%",
    ]:
        doc.add_paragraph(item, style="List Bullet")
    doc.add_heading("2.3 Severity ratings", level=2)
    doc.add_paragraph(
        "Critical – blocks a core task for some users. High – causes serious difficulty or needs a workaround. "
        "Medium – causes frustration or slows users down. Low – minor, or affects few users."
    )

    doc.add_heading("3. Summary of findings", level=1)
    doc.add_paragraph("Table 1 lists every open finding. Details follow in section 4.")
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header_row(table, ["ID", "Issue", "WCAG", "Severity", "Location"])
    for f in FINDINGS:
        cells = table.add_row().cells
        cells[0].text = f["id"]
        cells[1].text = f["title"]
        cells[2].text = f["wcag"]
        cells[3].text = f["severity"]
        cells[4].text = f["location"]
    doc.add_paragraph()

    doc.add_heading("4. Detailed findings", level=1)
    current_journey = None
    for f in FINDINGS:
        if f["journey"] != current_journey:
            current_journey = f["journey"]
            doc.add_heading(current_journey, level=2)
        doc.add_heading(f"{f['id']}: {f['title']}", level=3)
        meta = doc.add_paragraph()
        meta.add_run("WCAG: ").bold = True
        meta.add_run(f["wcag"] + "    ")
        meta.add_run("Severity: ").bold = True
        meta.add_run(f.get("section_severity", f["severity"]) + "    ")
        meta.add_run("Location: ").bold = True
        meta.add_run(f["location"])

        doc.add_heading("Description", level=4)
        doc.add_paragraph(f["description"])
        doc.add_heading("User impact", level=4)
        doc.add_paragraph(f["impact"])
        doc.add_heading("Steps to reproduce", level=4)
        for step in f["steps"]:
            doc.add_paragraph(step, style="List Number")
        doc.add_heading("Current code", level=4)
        code_block(doc, f["code"])
        doc.add_heading("Recommendation", level=4)
        doc.add_paragraph(f["recommendation"])

    doc.add_heading("5. Retest of previously reported issues", level=1)
    doc.add_paragraph(
        "The following issues from our audit of May 2023 were retested on 21 February 2025. Both are now fixed "
        "and are not counted among the open findings."
    )
    rt = doc.add_table(rows=1, cols=4)
    rt.style = "Table Grid"
    header_row(rt, ["Previous ID", "Issue", "WCAG", "Status"])
    for row in RETEST:
        cells = rt.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = value
    doc.add_paragraph()

    doc.add_heading("Appendix A. Pages tested", level=1)
    for url in [
        "https://repairs.meridianhousing.org.uk/sign-in",
        "https://repairs.meridianhousing.org.uk/",
        "https://repairs.meridianhousing.org.uk/report/step-1 … /report/step-5",
        "https://repairs.meridianhousing.org.uk/appointments/book",
        "https://repairs.meridianhousing.org.uk/my-repairs",
        "https://repairs.meridianhousing.org.uk/help/heating",
    ]:
        doc.add_paragraph(url, style="List Bullet")
    doc.add_heading("Appendix B. About this report", level=1)
    doc.add_paragraph(
        "This report reflects the state of the staging environment during the test window. Automated tools "
        "find only part of the barriers on a site; the findings above come mainly from manual testing. "
        "Contact: audits@harrowfinch.co.uk."
    )

    out = HERE / "audit.docx"
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build())
