"""Labels for the shared sample pair: the AI-written Markdown audit of the 0GiS0 demo site read
as a plan, against the Pa11y JSON of the same site (../shared/samples, not copied here).

Each label was written by reading the plan, with the plan text that decides it.
"""

from __future__ import annotations

AUDIT = "0GiS0-github-copilot-loves-accesibility_pa11y-results.json"
PLAN = "0GiS0-github-copilot-loves-accesibility_accessibility-audit-results.md"

#: finding id → (label, reason)
LABELS: dict[str, tuple[str, str]] = {
    "pa11y-3_1_1-H57-2": (
        "addressed",
        "§1 'HTML Language Declaration Missing': 'Add lang=\"en\" attribute to all HTML "
        "elements', with <html lang=\"en\"> as the fixed code",
    ),
    "pa11y-1_1_1-H37": (
        "addressed",
        "§2 'Images Missing Alt Text': 'Add descriptive alt text to all images'; the fixed code "
        "gives the hero-image an alt",
    ),
    "pa11y-1_4_3-G18-Fail": (
        "addressed",
        "§9 'Poor Color Contrast': 'Update CSS to ensure minimum 4.5:1 contrast ratio for "
        "normal text' (all pages, poor-contrast sections)",
    ),
    "pa11y-3_2_2-H32-2": (
        "addressed",
        "§7 replaces <div class=\"submit-btn\">Submit</div> with <button type=\"submit\" "
        "class=\"submit-btn\">Submit</button>: the form gets a submit button",
    ),
    "pa11y-4_1_2-H91-InputText-Name": (
        "addressed",
        "§3 'Form Labels Missing': <label for=\"full-name\"> tied to the 'Full Name' text input",
    ),
    "pa11y-1_3_1-F68": (
        "addressed",
        "§3: 'Add proper <label> elements associated with form controls' for the 8+ unlabelled "
        "form fields",
    ),
    "pa11y-4_1_2-H91-InputEmail-Name": (
        "addressed",
        "§3: every form field without a label gets an associated <label>, the email input "
        "included",
    ),
    "pa11y-4_1_2-H91-Select-Name": (
        "addressed",
        "§3: labels for all form controls of the contact form, the select included",
    ),
    "pa11y-4_1_2-H91-Textarea-Name": (
        "addressed",
        "§3: labels for all form controls of the contact form, the message textarea included",
    ),
    "pa11y-4_1_2-H91-A-NoContent": (
        "addressed",
        "§8 'Missing ARIA Labels for Social Media Icons': aria-label 'Follow us on Facebook' and "
        "sr-only text on the empty icon links",
    ),
}
