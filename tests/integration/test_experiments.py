"""A/B experiments end to end: a variant built to score a point higher is detected, identical
variants are flagged at about the nominal rate, rubric-weight variants of the offline judge
need no key, gold labels, bad gold CSVs, LLM prompt variants through the real openai client,
the CLI's JSON."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from a11y_judge.experiments import service
from a11y_judge.experiments.gold import GoldError
from a11y_judge.experiments.variants import VariantError, parse
from a11y_judge.history.jobs import JobStore
from a11y_judge.history.store import HistoryStore
from a11y_judge.judges.base import _REGISTRY, register
from a11y_judge.judges.settings import JudgeSettings
from a11y_judge.models import AuditReport, CriterionScore, Judgment, Plan, Rubric
from fakes.jury_responder import DisagreeingJury
from fakes.llm_server import FakeLLMServer, RecordedRequest, Reply
from fakes.scripted_judge import repeat_shifted

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
WEIGHTS = (
    "strategic_prioritization:{},technical_specificity:{},comprehensiveness:{},long_term_vision:{}"
)
DOC_KEYS = ("experiment_id", "variants", "n_items", "criteria", "overall", "ranking", "gold")
DOC_KEYS += ("verdict",)
STAT_KEYS = ("mean_diff", "ci", "se_cluster", "p_wilcoxon", "p_ttest", "p_holm", "effect_size")


class NoisyJudge:
    """Scores each plan at its hidden quality (from its name) + shift + Gaussian noise of its
    own seed: two variants judge the same items, each with its own noise."""

    provider = "noisy"
    model = None
    cpu_bound = False

    def __init__(self, rest: str) -> None:
        shift, seed = rest.split(":")
        self.id = f"noisy:{rest}"
        self.shift, self.seed = float(shift), int(seed)

    def judge(self, audit: AuditReport, plan: Plan, rubric: Rubric) -> Judgment:
        h = int(hashlib.sha256(plan.name.encode()).hexdigest()[:8], 16)
        quality = 3.0 + (h % 500) / 100  # 3 to 8, fixed per plan
        rng = np.random.default_rng([self.seed, h])
        scores = {
            c.id: CriterionScore(
                score=float(np.clip(quality + self.shift + rng.normal(0, 0.8), 0, 10)),
                rationale="scripted",
            )
            for c in rubric.criteria
        }
        return Judgment(judge_id=self.id, plan_name=plan.name, scores=scores, provider="noisy")


CRITERIA = (
    "strategic_prioritization",
    "technical_specificity",
    "comprehensiveness",
    "long_term_vision",
)
#: 'fixed:NAME' judges: every criterion of plan-0-k scored FIXED[NAME][k] (so the weighted
#: score is that value too), moved by SHIFTS[NAME][repeat] in each repeat of an experiment.
FIXED = {"a": [2.0, 4.0, 6.0, 8.0, 9.0], "b": [3.5, 4.5, 8.5, 7.5, 5.5]}
SHIFTS = {"a": [0.0, 0.0, 0.0], "b": [0.0, 0.0, 0.0], "wobbly": [0.0, 0.5, 1.0]}


def fixed_judge(rest: str, settings: object) -> object:
    values = FIXED["a" if rest == "wobbly" else rest]
    script = {f"plan-0-{k}": {c: v for c in CRITERIA} for k, v in enumerate(values)}
    repeat = getattr(settings, "repeat", 0)
    return repeat_shifted(f"fixed:{rest}", script, SHIFTS[rest], repeat)


@pytest.fixture(autouse=True)
def noisy_provider() -> Iterator[None]:
    """The scripted providers, registered for these tests only."""
    register("noisy")(lambda rest, settings: NoisyJudge(rest))
    register("fixed")(fixed_judge)
    yield
    _REGISTRY.pop("noisy", None)
    _REGISTRY.pop("fixed", None)


def make_sets(root: Path, audits: int = 4, plans: int = 6) -> Path:
    sources = sorted((DEMO / "plans").glob("*.md"))
    for a in range(audits):
        folder = root / f"site-{a}" / "plans"
        folder.mkdir(parents=True)
        (root / f"site-{a}" / "audit.md").write_bytes((DEMO / "northwind-audit.md").read_bytes())
        for k in range(plans):
            text = sources[k % len(sources)].read_text(encoding="utf-8") + f"\n\nSite {a}, {k}.\n"
            (folder / f"plan-{a}-{k}.md").write_text(text, encoding="utf-8")
    return root


def test_a_variant_one_point_higher_is_detected(tmp_path: Path) -> None:
    items = make_sets(tmp_path / "sets")
    doc = service.run(["a=noisy:0:1", "b=noisy:1:2"], items)
    overall = doc["overall"]
    assert doc["n_items"] == 24 and overall["clusters"] == 4
    assert 0.6 < overall["mean_diff"] < 1.4
    assert overall["ci"][0] > 0 and overall["p_wilcoxon"] < 0.05 and overall["p_ttest"] < 0.05
    assert overall["se_cluster"] is not None and overall["effect_size"] > 0.8
    assert set(doc["criteria"]) == {
        "strategic_prioritization",
        "technical_specificity",
        "comprehensiveness",
        "long_term_vision",
    }
    assert all(c["p_holm"] >= c["p_wilcoxon"] for c in doc["criteria"].values())
    assert "a real difference" in doc["verdict"]
    assert f"{overall['mean_diff']:+.2f} points" in doc["verdict"]
    assert len(doc["ranking"]["sets"]) == 4


def test_identical_variants_are_flagged_at_about_the_nominal_rate(tmp_path: Path) -> None:
    items = make_sets(tmp_path / "sets", audits=3, plans=6)
    flagged = 0
    trials = 30
    for seed in range(trials):
        doc = service.run([f"a=noisy:0:{2 * seed}", f"b=noisy:0:{2 * seed + 1}"], items)
        p = doc["overall"]["p_wilcoxon"]
        flagged += p < 0.05
        assert ("a real difference" in doc["verdict"]) == (
            (p < 0.05 and doc["overall"]["ci"][0] > 0) or (p < 0.05 and doc["overall"]["ci"][1] < 0)
        )
    assert flagged <= 4  # 5% nominal: 1.5 expected; P(5 or more of 30) < 2%


def test_rubric_weight_variants_of_the_offline_judge_need_no_key(tmp_path: Path) -> None:
    items = make_sets(tmp_path / "sets", audits=2, plans=4)
    weights = WEIGHTS.format(0.1, 0.7, 0.1, 0.1)
    doc = service.run(["base=offline", f"technical=offline+weights={weights}"], items, repeats=2)
    assert doc["n_items"] == 8 and doc["repeats"] == 2
    assert all(v["noise_sd"] == 0 for v in doc["variants"])  # the offline judge is deterministic
    for cid, c in doc["criteria"].items():  # the weights change no criterion score
        assert c["mean_diff"] == 0, cid
    assert doc["overall"]["mean_diff"] != 0
    assert doc["variants"][0]["usage"]["requests"] == 0
    # recorded, and reopened
    assert service.load(doc["experiment_id"])["verdict"] == doc["verdict"]
    assert service.past()[0].experiment_id == doc["experiment_id"]


def test_gold_labels_and_bad_gold_files(tmp_path: Path) -> None:
    items = make_sets(tmp_path / "sets", audits=1, plans=6)
    rows = ["plan,criterion,score"] + [f"plan-0-{k},weighted,{3 + k}" for k in range(6)]
    gold = tmp_path / "gold.csv"
    gold.write_text("\n".join(rows) + "\n", encoding="utf-8")
    doc = service.run(["a=noisy:0:1", "b=noisy:2:2"], items, gold=gold)
    g = doc["gold"]["variants"]
    assert g["a"]["n"] == 6 and g["a"]["mae"] is not None and 0 <= g["a"]["within_1"] <= 1
    assert doc["gold"]["test"]["n"] == 6
    for text, message in (
        ("plan,criterion,score\nnope,weighted,5\n", "no plan named 'nope'"),
        ("plan,score\nplan-0-1,5\n", "no criterion column"),
        ("plan,criterion,score\nplan-0-1,weighted,high\n", "is not a number from 0 to 10"),
        ("plan,criterion,score\nplan-0-1,style,5\n", "unknown criterion 'style'"),
    ):
        bad = tmp_path / "bad.csv"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(GoldError, match=message):
            service.run(["a=noisy:0:1", "b=noisy:2:2"], items, gold=bad)


def test_gold_metrics_are_exact_on_a_constructed_csv(tmp_path: Path) -> None:
    items = make_sets(tmp_path / "sets", audits=1, plans=5)
    expert = [3.0, 4.0, 8.0, 7.0, 5.0]
    rows = ["plan,criterion,score"]
    rows += [f"plan-0-{k},technical_specificity,{g}" for k, g in enumerate(expert)]
    gold = tmp_path / "gold.csv"
    gold.write_text("\n".join(rows) + "\n", encoding="utf-8")
    doc = service.run(["a=fixed:a", "b=fixed:b"], items, gold=gold)
    g = doc["gold"]["variants"]
    # a = 2, 4, 6, 8, 9 against 3, 4, 8, 7, 5: |errors| 1, 0, 2, 1, 4
    #   MAE 8/5 = 1.6; within 1 point: 3 of 5 = 0.6
    #   Spearman: expert ranks 1, 2, 5, 4, 3 vs 1, 2, 3, 4, 5; sum d^2 = 8;
    #   rho = 1 - 6 * 8 / (5 * (25 - 1)) = 0.6
    assert g["a"] == {"n": 5, "mae": 1.6, "spearman": pytest.approx(0.6), "within_1": 0.6}
    # b = expert + 0.5 everywhere: MAE 0.5, all within 1, same order (rho 1)
    assert g["b"] == {"n": 5, "mae": 0.5, "spearman": pytest.approx(1.0), "within_1": 1.0}
    # the paired test on absolute errors: b - a = -0.5, 0.5, -1.5, -0.5, -3.5, mean -1.1
    test = doc["gold"]["test"]
    assert test["n"] == 5 and test["mean_diff"] == pytest.approx(-1.1)


def test_noise_across_repeats_is_the_sd_of_each_plans_scores(tmp_path: Path) -> None:
    items = make_sets(tmp_path / "sets", audits=1, plans=5)
    doc = service.run(["steady=fixed:a", "wobbly=fixed:wobbly"], items, repeats=3)
    noise = {v["name"]: v["noise_sd"] for v in doc["variants"]}
    # wobbly scores every plan s, s + 0.5, s + 1 in its three repeats (s up to 9, so none
    # passes 10): SD sqrt((0.25 + 0 + 0.25) / 2) = 0.5 for each plan
    assert noise["steady"] == 0 and noise["wobbly"] == pytest.approx(0.5)
    # the comparison uses each plan's mean over repeats: s + 0.5 against s
    assert doc["overall"]["mean_diff"] == pytest.approx(0.5)
    assert doc["variants"][1]["usage"]["runs"] == 3


def test_the_help_example_strict_rubric_runs_on_the_demo_set() -> None:
    strict = parse("strict=offline+rubric=prompts/strict.yaml")
    weights = strict.rubric_for().weights
    assert weights["technical_specificity"] > weights["strategic_prioritization"]
    doc = service.run(
        ["base=offline", f"strict=offline+rubric={REPO / 'prompts' / 'strict.yaml'}"], DEMO
    )
    assert doc["n_items"] == 4 and doc["verdict"].startswith("Too few plans to conclude")
    # the same offline criterion scores, weighted differently
    assert all(c["mean_diff"] == 0 for c in doc["criteria"].values())
    assert doc["overall"]["mean_diff"] != 0


def test_bad_variants_are_one_clear_error() -> None:
    for text, message in (
        ("offline", "is not NAME=SPEC"),
        ("x=offline+colour=red", "unknown override"),
        ("x=offline+weights=strategic_prioritization:1", "weights must name each criterion"),
        ("x=offline+temperature=warm", "cannot be read"),
    ):
        with pytest.raises(VariantError, match=message):
            parse(text)
    with pytest.raises(VariantError, match="two variants or more"):
        service.variants_from(["a=offline"])


def test_two_prompt_variants_through_the_real_openai_client(tmp_path: Path) -> None:
    items = make_sets(tmp_path / "sets", audits=2, plans=4)
    v2 = tmp_path / "prompts-v2"
    v2.mkdir()
    for name in ("judge_system.md", "judge_user.md"):
        text = (REPO / "prompts" / name).read_text(encoding="utf-8")
        (v2 / name).write_text(
            text + ("\nBe strict.\n" if "system" in name else ""), encoding="utf-8"
        )
    base = {f"plan-{a}-{k}": 4.0 + k for a in range(2) for k in range(4)}
    with FakeLLMServer(DisagreeingJury({"m": 0.0}, base)) as srv:
        url = srv.openai_base_url
        doc = service.run(
            [f"v1=openai-compatible:m@{url}", f"v2=openai-compatible:m@{url}+prompt={v2}"], items
        )
        sent = srv.count("openai")
        again = service.run(
            [f"v1=openai-compatible:m@{url}", f"v2=openai-compatible:m@{url}+prompt={v2}"], items
        )
        assert srv.count("openai") == sent  # the re-run is served by the cache
    assert sent == 2 * 8
    assert doc["n_items"] == 8 and again["overall"]["mean_diff"] == doc["overall"]["mean_diff"]
    assert all(v["usage"]["judgments"] == 8 for v in doc["variants"])


class Peak:
    """A responder that holds each request `hold` seconds and counts how many are in flight at
    once (handler threads call it concurrently)."""

    def __init__(self, inner: DisagreeingJury, hold: float) -> None:
        self.inner, self.hold = inner, hold
        self.now = self.peak = 0
        self.lock = threading.Lock()

    def __call__(self, req: RecordedRequest) -> Reply:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.hold)
        with self.lock:
            self.now -= 1
        return self.inner(req)


def test_runs_go_through_the_batch_processor_concurrently_with_one_gate_per_endpoint(
    tmp_path: Path,
) -> None:
    # 2 prompt variants x 2 sets of 4 plans: 4 runs of 4 requests each, against one endpoint
    items = make_sets(tmp_path / "sets", audits=2, plans=4)
    v2 = tmp_path / "prompts-v2"
    v2.mkdir()
    for name in ("judge_system.md", "judge_user.md"):
        (v2 / name).write_text((REPO / "prompts" / name).read_text(encoding="utf-8"), "utf-8")
    peak = Peak(DisagreeingJury({"m": 0.0}), hold=0.5)
    calls: list[tuple[int, int, str, int]] = []
    with FakeLLMServer(peak) as srv:
        url = srv.openai_base_url
        doc = service.run(
            [f"v1=openai-compatible:m@{url}", f"v2=openai-compatible:m@{url}+prompt={v2}"],
            items,
            settings=lambda: JudgeSettings(concurrency=8),
            progress=lambda done, total, what: calls.append(
                (done, total, what, threading.get_ident())
            ),
        )
        assert srv.count("openai") == 16
    # one run holds at most 4 requests: more at once means several runs were in flight, and
    # never more than the endpoint's concurrency of 8, though two variants and two sets share it
    assert 4 < peak.peak <= 8
    assert doc["n_items"] == 8 and all(v["usage"]["judgments"] == 8 for v in doc["variants"])
    # progress: each finished run once, from the calling thread (a Streamlit page draws it)
    assert sorted(c[0] for c in calls) == [1, 2, 3, 4] and {c[1] for c in calls} == {4}
    assert {c[3] for c in calls} == {threading.get_ident()}
    assert {c[2] for c in calls} == {f"{v} #1 on site-{a}" for v in ("v1", "v2") for a in (0, 1)}
    # the experiment's job is not a batch job: nothing on the Batch page to resume wrongly
    assert JobStore().jobs() == []
    # and each (variant, repeat, set) run is in history, as before
    assert len(HistoryStore().list_runs()) == 4


def _cli(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "A11Y_JUDGE_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "a11y_judge.cli", "ab", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
    )


def test_the_cli_prints_the_documented_json(tmp_path: Path) -> None:
    items = make_sets(tmp_path / "sets", audits=1, plans=6)
    even = WEIGHTS.format(0.25, 0.25, 0.25, 0.25)
    done = _cli(
        tmp_path / "home",
        *("--variant", "a=offline", "--variant", f"b=offline+weights={even}"),
        *("--items", str(items), "--json", "--out", str(tmp_path / "out")),
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert set(DOC_KEYS) <= set(doc)
    assert doc["gold"] is None and doc["n_items"] == 6
    for p in doc["criteria"].values():
        assert set(STAT_KEYS) <= set(p)
    written = sorted(x.suffix for x in (tmp_path / "out").iterdir())
    assert written == [".csv", ".json", ".md", ".pdf"]
    pdf = next((tmp_path / "out").glob("*.pdf"))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "Tagged:          yes" in info.stdout and "A/B experiment" in info.stdout
    # the example of `a11y-judge ab --help`, run from the repository as written there
    strict = _cli(
        tmp_path / "home",
        *("--variant", "base=offline", "--variant", "strict=offline+rubric=prompts/strict.yaml"),
        *("--items", str(DEMO), "--json"),
    )
    assert strict.returncode == 0, strict.stderr
    assert json.loads(strict.stdout)["variants"][1]["spec"] == "offline+rubric=prompts/strict.yaml"
    bad = _cli(tmp_path / "home", "--variant", "a=offline", "--items", str(items))
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr
