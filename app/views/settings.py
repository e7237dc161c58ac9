"""Settings: which LLM judges sit on the jury, their keys and endpoints, and run limits."""

from __future__ import annotations

from typing import Any

import streamlit as st
from app.components import llm_settings as ls
from app.components.access import read_only, set_session_actor
from app.components.text import md_code, md_escape

from a11y_judge.credentials import KEY_VARS, find_key, redact
from a11y_judge.errors import A11yJudgeError
from a11y_judge.history.audit import AuditLog
from a11y_judge.judges import create_judge
from a11y_judge.judges.llm import LLMJudge
from a11y_judge.safety import MODE_LABELS, MODES, find_pii

KEY = "settings"

INTROS = {
    "openai": "OpenAI's chat completions API with structured (JSON-schema) output.",
    "gemini": "Google's Gemini API with a key from Google AI Studio.",
    "openai-compatible": (
        "Any server that speaks the OpenAI chat completions API, such as a local model. "
        "Usual base URLs:\n"
        "- Ollama: `http://localhost:11434/v1`\n"
        "- vLLM: `http://localhost:8000/v1`\n"
        "- LM Studio: `http://localhost:1234/v1`\n\n"
        "The model must support JSON-schema (structured) output. Most local servers need no key."
    ),
}


#: how the audit log names each run option (provider settings are named from ls.NAMES)
OPTION_LABELS = {
    "concurrency": "parallel requests per provider",
    "rpm": "requests per minute",
    "timeout": "timeout per request (s)",
    "retries": "retries per request",
    "samples": "samples per plan",
    "budget": "cost budget per run (USD)",
    "outage_wait": "wait for a provider that is down (s)",
    "time_budget": "time budget per run (s)",
    "cache": "reuse cached replies",
    "redact_pii": "PII redaction",
}
_PROVIDER_LABELS = {
    "enabled": "judges on the jury",
    "models": "model names",
    "base_url": "base URL",
    "key": "API key",
}


def _label(name: str) -> str:
    provider, _, field = name.rpartition(".")
    if provider:
        return f"{ls.NAMES[provider]} {_PROVIDER_LABELS[field]}"
    return OPTION_LABELS[name]


def _shown(name: str, value: Any, secrets: list[str]) -> str:
    """A setting's value as the audit log shows it: never a key, a URL's password or token."""
    if name == "redact_pii":
        return MODE_LABELS.get(value, str(value))
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if not isinstance(value, str):
        return str(value)
    text = value.strip()
    for m in reversed([m for m in find_pii(text) if m.kind in ("url_token", "jwt")]):
        text = text[: m.start] + "***" + text[m.end :]
    return f"'{redact(text, secrets)}'" if text else "(empty)"


def change_entry(name: str, old: Any, new: Any, secrets: list[str]) -> str:
    """The audit log's line for one change on this page: what, old → new; for a key only
    whether one is now set (its value never leaves the session)."""
    if name.endswith(".key"):
        return f"{_label(name)} {'set' if str(new).strip() else 'cleared'} (this session only)"
    return f"{_label(name)}: {_shown(name, old, secrets)} → {_shown(name, new, secrets)}"


def _known_keys() -> list[str]:
    """Every key this session would use (typed here, else environment, secrets, .env): never
    in a logged value, even one pasted into the wrong field."""
    typed, secrets = ls.typed_keys(), ls.streamlit_secrets()
    found = [find_key(p, typed, secrets) for p in ls.PROVIDERS]
    return [*typed.values(), *(k for k in found if k)]


def _save(name: str) -> None:
    """Copy a widget's value into the session's settings (they outlive the page's widgets) and
    put the change in the audit log."""
    settings = ls.store()
    old, new = settings.get(name), st.session_state[f"{KEY}.{name}"]
    settings[name] = new
    if old == new:
        return
    detail = change_entry(name, old, new, _known_keys())
    set_session_actor()  # a callback runs before the script names this run's actor
    try:
        AuditLog().record("settings", name, detail)
    except A11yJudgeError as exc:  # the change stands; say that it is not on record
        st.warning(f"The audit log could not be written: {exc}")


def _bound(name: str) -> dict[str, Any]:
    """Widget arguments that show, and save, one setting."""
    key = f"{KEY}.{name}"
    if key not in st.session_state:  # first visit, or back from another page
        st.session_state[key] = ls.store()[name]
    return {"key": key, "on_change": _save, "args": (name,)}


def _test_connection(provider: str, specs: list[str]) -> None:
    """Build each judge and send it one tiny request; one success or error line per judge."""
    settings = ls.session_judge_settings()
    typed = ls.typed_keys().get(provider)
    try:
        for spec in specs:
            try:
                judge = create_judge(spec, settings)
                with st.spinner(f"Asking {spec}…"):
                    message = (
                        judge.check()
                        if isinstance(judge, LLMJudge)
                        else f"{spec} runs locally and needs no connection."
                    )
            except A11yJudgeError as exc:
                st.error(f"**{md_escape(spec)}**: {md_escape(redact(str(exc), [typed]))}")
            except Exception as exc:  # never a traceback on this page; the key stays hidden
                detail = redact(f"{type(exc).__name__}: {exc}", [typed])
                st.error(f"**{md_escape(spec)}** could not be tested: {md_escape(detail)}")
            else:
                st.success(f"Connection works: {md_escape(message)}")
    finally:
        settings.close()


def _provider(provider: str) -> None:
    name = ls.NAMES[provider]
    st.markdown(f"### {name}")
    st.markdown(INTROS[provider])
    enabled = st.checkbox(
        f"Add {name} judges to the jury",
        help="Enabled models are offered, and chosen by default, on the Evaluate page.",
        **_bound(f"{provider}.enabled"),
    )
    left, right = st.columns(2, gap="medium")
    left.text_input(
        "Model names",
        placeholder=f"e.g. {ls.EXAMPLE_MODELS[provider]}",
        help=f"One or more models, separated by commas (e.g. {ls.EXAMPLE_MODELS[provider]}). "
        "Each model is one judge on the jury.",
        **_bound(f"{provider}.models"),
    )
    if provider == "openai-compatible":
        right.text_input(
            "Base URL (required)",
            placeholder=ls.EXAMPLE_COMPATIBLE_URL,
            help="The server's OpenAI-compatible address, usually ending in /v1 "
            f"(Ollama: {ls.EXAMPLE_COMPATIBLE_URL}).",
            **_bound(f"{provider}.base_url"),
        )
    else:
        url, source = ls.effective_base_url(provider)
        right.text_input(
            "Base URL override (optional)",
            placeholder=url,
            help="Leave empty to use the address below; set it for a proxy or gateway.",
            **_bound(f"{provider}.base_url"),
        )
        right.caption(f"Empty uses {md_code(url)} ({source}).")
    left, right = st.columns(2, gap="medium")
    vars_ = " or ".join(KEY_VARS[provider])
    left.text_input(
        "API key (optional)" if provider == "openai-compatible" else "API key",
        type="password",
        autocomplete="off",
        placeholder="paste a key, or leave empty",
        help=f"Kept for this browser session only, never written to disk. For a lasting key, "
        f"set {vars_} in the environment, a .env file or Streamlit secrets.",
        **_bound(f"{provider}.key"),
    )
    found, status = ls.key_status(provider)
    right.markdown("**Key status**")
    right.markdown((":material/check_circle: " if found else ":material/info: ") + status)

    specs = ls.provider_specs(provider)
    if specs.problem:
        st.markdown(f"**Judges:** none yet: {md_escape(specs.problem)}.")
        if enabled:
            st.warning(f"{name} is enabled but adds no judge: {md_escape(specs.problem)}.")
    else:
        state = "on the jury" if enabled else "not enabled"
        listed = ", ".join(md_code(s) for s in specs.specs)
        st.markdown(f"**Judges:** {listed} ({state})")
    if st.button(
        "Test connection",
        key=f"{KEY}.{provider}.test",
        icon=":material/network_check:",
        disabled=bool(specs.problem) or read_only(),
        help="Sends one tiny request per model (a few tokens) to check the key, address, model "
        "name and JSON-schema support.",
    ):
        _test_connection(provider, specs.specs)


def _run_options() -> None:
    st.subheader("Run options")
    st.caption("They apply to every LLM judge in a run; the offline judge ignores them.")
    cols = st.columns(3, gap="medium")
    cols[0].number_input(
        "Parallel requests per provider",
        min_value=1,
        max_value=64,
        step=1,
        help="How many requests each provider handles at once.",
        **_bound("concurrency"),
    )
    cols[1].number_input(
        "Requests per minute (0 = no limit)",
        min_value=0,
        max_value=100_000,
        step=10,
        help="Spaces requests to stay under a provider's rate limit.",
        **_bound("rpm"),
    )
    cols[2].number_input(
        "Timeout per request (seconds)",
        min_value=5.0,
        max_value=900.0,
        step=5.0,
        format="%.0f",
        help="A request that takes longer fails (and is retried).",
        **_bound("timeout"),
    )
    cols = st.columns(3, gap="medium")
    cols[0].number_input(
        "Retries per request",
        min_value=0,
        max_value=10,
        step=1,
        help="Re-sends after server errors, timeouts, dropped connections and replies that "
        "are not JSON, waiting longer each time (or as long as the provider asks). Rate "
        "limits are waited out on top of these, up to 10 times.",
        **_bound("retries"),
    )
    cols[1].number_input(
        "Samples per plan (self-consistency)",
        min_value=1,
        max_value=9,
        step=1,
        help="Ask each model K times and keep the median score per criterion; K times the cost.",
        **_bound("samples"),
    )
    cols[2].number_input(
        "Cost budget per run in USD (0 = none)",
        min_value=0.0,
        max_value=10_000.0,
        step=0.5,
        format="%.2f",
        help="No new request starts once the run could pass this amount. Models without a price "
        "in data/llm_models.json are not counted.",
        **_bound("budget"),
    )
    cols = st.columns(3, gap="medium")
    cols[0].number_input(
        "Wait for a provider that is down (seconds)",
        min_value=5.0,
        max_value=3600.0,
        step=10.0,
        format="%.0f",
        help="After several calls in a row fail, the provider's circuit breaker opens and the "
        "remaining judgments wait for it to answer a probe again; after this long they fail.",
        **_bound("outage_wait"),
    )
    cols[1].number_input(
        "Time budget per run in seconds (0 = none)",
        min_value=0.0,
        max_value=86_400.0,
        step=60.0,
        format="%.0f",
        help="Every wait (for a retry, a free slot, a provider that is down) ends with the "
        "budget; LLM judgments not sent by then fail with that reason.",
        **_bound("time_budget"),
    )
    st.checkbox(
        "Reuse cached replies",
        help="An identical request (same audit, plan, model, prompt, rubric and settings) is "
        "answered from the local cache instead of the provider. The cache holds replies, "
        "never keys.",
        **_bound("cache"),
    )
    st.selectbox(
        "Redact personal data before it goes to an LLM provider",
        list(MODES),
        format_func=lambda m: MODE_LABELS[m],
        help="Emails, phone numbers, names after cues such as 'Contact:' or 'Reviewed by', "
        "secret URL parameters, JWTs and IP addresses become placeholders such as [EMAIL-1] "
        "in what LLM judges receive. The offline judge and history keep the original text. "
        "The Evaluate page can change it per run.",
        **_bound("redact_pii"),
    )


st.header("Settings")
st.markdown(
    "Add LLM judges to the jury next to the offline evidence judge, which needs no settings. "
    "Each enabled model judges every plan on its own and is listed on the **Evaluate** page."
)
st.caption(
    ":material/lock: API keys typed on this page are kept for this browser session only: never "
    "written to disk, history, the cache or exports, and never logged. Closing the tab forgets "
    "them."
)
ls.store()  # the session's settings exist from the first visit
for provider in ls.PROVIDERS:
    with st.container(border=True):
        _provider(provider)
_run_options()
st.page_link("views/evaluate.py", label="Go to Evaluate", icon=":material/fact_check:")
