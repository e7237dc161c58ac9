"""The one-container deployment, built and run for real: the image is built (Docker's layer cache
makes an unchanged tree a no-op), started on a free port with a fresh volume, waited on until its
own HEALTHCHECK reports healthy, and the demo set is evaluated through the running app in Debian's
Chromium. Skipped when no Docker daemon answers, so CI does not depend on Docker."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OFFLINE_BUILD = REPO.parent / "shared" / "tools" / "docker-offline.sh"
TAG = "a11y-judge:test"
SYSTEM_CA = Path("/etc/ssl/certs/ca-certificates.crt")
FIGURES = REPO / "output" / "container-figures.json"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
HEALTHY_S = 180
STEP_MS = 30_000
RUN_MS = 120_000
#: the demo set as the image ships it, evaluated by the CLI inside the container
EVALUATE_DEMO = ("a11y-judge", "evaluate", "--audit", "/app/data/demo/northwind-audit.md")
EVALUATE_DEMO += ("--plans-dir", "/app/data/demo/plans", "--no-history")


def _docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        done = subprocess.run(["docker", "info"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


pytestmark = [
    pytest.mark.skipif(
        not _docker_answers(),
        reason="no Docker daemon answers `docker info` (start one, e.g. "
        "../shared/tools/docker-offline.sh setup, to build and run the image)",
    ),
    pytest.mark.timeout(1800),  # a cold build downloads every wheel and the apt packages
]


def _docker(*args: str, timeout: float = 60, check: bool = True) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        pytest.fail(f"docker {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout.strip()


@dataclass
class Container:
    name: str
    volume: str
    url: str
    figures: dict[str, object] = field(default_factory=dict)

    def exec(self, *cmd: str, timeout: float = 120) -> str:
        return _docker("exec", self.name, *cmd, timeout=timeout)

    def runs(self) -> list[dict[str, object]]:
        """The history as the CLI inside the container lists it, newest first."""
        listed = self.exec("a11y-judge", "history", "list", "--json")
        runs: list[dict[str, object]] = json.loads(listed)
        return runs

    def wait_healthy(self) -> float:
        """Seconds until Docker's own health check (the image's HEALTHCHECK) says healthy."""
        start = time.monotonic()
        while time.monotonic() - start < HEALTHY_S:
            state = json.loads(_docker("inspect", "--format", "{{json .State}}", self.name))
            if not state["Running"] or state.get("Health", {}).get("Status") == "unhealthy":
                logs = _docker("logs", "--tail", "60", self.name, check=False)
                pytest.fail(f"container not healthy: {state}\n{logs}")
            if state["Health"]["Status"] == "healthy":
                return time.monotonic() - start
            time.sleep(0.5)
        pytest.fail(f"not healthy within {HEALTHY_S}s:\n{_docker('logs', self.name, check=False)}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _build_command() -> list[str]:
    """docker-offline.sh beside the repository when it is there; else a BuildKit build (the
    Dockerfile's `RUN --mount` needs it) with the system CA bundle as the optional `ca` secret,
    as the script does. Debian's /usr/bin/docker uses the daemon's own BuildKit (no buildx)."""
    if OFFLINE_BUILD.exists():
        return [str(OFFLINE_BUILD), "build", TAG, str(REPO)]
    docker = "/usr/bin/docker" if Path("/usr/bin/docker").exists() else "docker"
    cmd = [docker, "build", "-t", TAG]
    if SYSTEM_CA.exists():
        cmd += ["--secret", f"id=ca,src={SYSTEM_CA}"]
    return [*cmd, str(REPO)]


@pytest.fixture(scope="module")
def image() -> Iterator[dict[str, object]]:
    """The image built from this tree: docker-offline.sh where it exists, else `docker build`."""
    start = time.monotonic()
    done = subprocess.run(
        _build_command(),
        capture_output=True,
        text=True,
        timeout=1500,
        env=os.environ | {"DOCKER_BUILDKIT": "1"},
    )
    seconds = time.monotonic() - start
    if done.returncode != 0:
        pytest.fail(f"image build failed:\n{(done.stdout + done.stderr)[-5000:]}")
    size = int(_docker("image", "inspect", "--format", "{{.Size}}", TAG))
    yield {"build_s": round(seconds, 1), "image_mb": round(size / 1e6)}


@pytest.fixture(scope="module")
def container(image: dict[str, object]) -> Iterator[Container]:
    """The image running on a free loopback port with a fresh named volume for /data."""
    suffix = uuid.uuid4().hex[:8]
    port = _free_port()
    box = Container(f"a11y-judge-test-{suffix}", f"a11y-judge-test-{suffix}", "")
    box.url = f"http://127.0.0.1:{port}"
    box.figures.update(image)
    _docker("volume", "create", box.volume)
    try:
        start = time.monotonic()
        _docker(
            "run", "-d", "--name", box.name, "-p", f"127.0.0.1:{port}:8501",
            "-v", f"{box.volume}:/data", TAG,
        )  # fmt: skip
        box.wait_healthy()
        box.figures["healthy_s"] = round(time.monotonic() - start, 1)  # from `docker run`
        yield box
    finally:
        _docker("rm", "-f", "-v", box.name, check=False)  # -v: the anonymous output volume
        _docker("volume", "rm", box.volume, check=False)
        if box.figures:
            FIGURES.parent.mkdir(parents=True, exist_ok=True)
            FIGURES.write_text(json.dumps(box.figures, indent=2) + "\n", encoding="utf-8")


def test_it_serves_as_non_root_with_only_the_runtime_and_the_demo_run(container: Container) -> None:
    with urllib.request.urlopen(f"{container.url}/_stcore/health", timeout=5) as resp:
        assert resp.read() == b"ok"
    # the server itself (PID 1 after the entry script's exec) and any exec run as `app`
    uid = container.exec("sh", "-c", "awk '/^Uid:/ {print $2}' /proc/1/status")
    assert uid != "0"
    assert container.exec("id", "-un") == "app"
    # keys and the build's CA secret are not baked into the image
    env = json.loads(_docker("image", "inspect", "--format", "{{json .Config.Env}}", TAG))
    assert not [e for e in env if e.startswith(("PIP_CERT", "OPENAI", "GEMINI", "GOOGLE"))]
    assert container.exec("sh", "-c", "ls /run/secrets 2>/dev/null | wc -l") == "0"
    assert container.exec("cat", "/proc/1/comm") == "streamlit"  # exec replaced the entry script
    # only the runtime: no tests, sources, .git or venv of the checkout; user state only in /data
    assert sorted(container.exec("ls", "-A", "/app").split()) == [
        ".streamlit",
        "app",
        "data",
        "output",
        "prompts",
    ]
    assert container.exec("ls", "/app/data/demo/plans").count(".md") == 4
    assert "history.sqlite" in container.exec("ls", "/data").split()
    assert "history.sqlite" not in container.exec("ls", "/app/data").split()
    # the first start recorded the demo evaluation once
    runs = container.runs()
    assert [r["audit_name"] for r in runs] == ["northwind-audit"]
    # the PDF renderer's system libraries are there: a report written into the output volume
    container.exec(*EVALUATE_DEMO, "--out", "/app/output/check", "--format", "pdf")
    head = container.exec("sh", "-c", "head -c 5 /app/output/check/*.pdf")
    assert head == "%PDF-"


def test_the_demo_set_evaluates_through_the_running_app(
    container: Container, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium (run `make browser-deps`)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    doc = json.loads(container.exec(*EVALUATE_DEMO, "--json"))
    expected = [p["name"] for p in sorted(doc["plans"], key=lambda p: p["rank"])]
    before = container.runs()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1400, "height": 1000}, accept_downloads=True
            )
            page = context.new_page()
            page.set_default_timeout(STEP_MS)
            main = page.get_by_test_id("stMainBlockContainer")

            # the run recorded on first start is listed on the History page
            page.goto(f"{container.url}/history")
            main.get_by_role("heading", name="History", exact=True).wait_for()
            main.get_by_text(f"{len(before)} of {len(before)} runs").wait_for()
            main.get_by_text(str(before[0]["run_id"])).first.wait_for()

            # a user's run of the demo set on the Evaluate page
            page.get_by_role("link", name="Evaluate").first.click()
            main.get_by_role("heading", name="Evaluate remediation plans").wait_for()
            main.get_by_test_id("stCheckbox").get_by_text("Use the demo set").click()
            run = page.get_by_role("button", name="Run evaluation")
            sync_api.expect(run).to_be_enabled()
            started = time.monotonic()
            run.click()
            main.get_by_role("heading", name="Results").wait_for(timeout=RUN_MS)
            container.figures["app_run_s"] = round(time.monotonic() - started, 1)
            rows = page.locator(".st-key-evaluate-ranking table tbody tr")
            sync_api.expect(rows).to_have_count(len(expected))
            shown = [rows.nth(i).locator("td").nth(1).inner_text().strip() for i in range(4)]
            assert shown == expected
            sync_api.expect(main.get_by_text("Addressed by no plan")).to_be_visible()
            results = main.get_by_role("heading", name="Results")
            results.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(REPO / "output" / "container-results.png"))

            # the downloads a user takes away: the tidy CSV and the PDF the container renders
            with page.expect_download() as info:
                page.get_by_role("button", name="Download CSV").click()
            csv_path = tmp_path / info.value.suggested_filename
            info.value.save_as(csv_path)
            lines = csv_path.read_text(encoding="utf-8").splitlines()
            assert lines[0].startswith("run_id,audit,plan,rank,criterion,")
            assert {line.split(",")[2] for line in lines[1:]} == set(expected)
            page.get_by_role("button", name="Build the PDF report").click()
            with page.expect_download(timeout=RUN_MS) as info:
                page.get_by_role("button", name="Download PDF report").click(timeout=RUN_MS)
            pdf_path = tmp_path / info.value.suggested_filename
            info.value.save_as(pdf_path)
            assert pdf_path.read_bytes()[:5] == b"%PDF-"
            assert pdf_path.stat().st_size > 20_000
        finally:
            browser.close()
    after = container.runs()
    assert len(after) == len(before) + 1  # the app's run is in the container's history
    assert after[0]["winner"] == expected[0]
    stats = _docker("stats", "--no-stream", "--format", "{{.MemUsage}}", container.name)
    container.figures["memory_after_run"] = stats.split(" / ")[0]


def test_a_restart_keeps_the_history_and_does_not_record_the_demo_again(
    container: Container,
) -> None:
    before = container.runs()
    assert before
    _docker("restart", container.name, timeout=120)
    container.figures["healthy_after_restart_s"] = round(container.wait_healthy(), 1)
    assert container.runs() == before
    logs = _docker("logs", container.name)
    assert logs.count("already holds runs: demo not recorded again") == 1


def _compose() -> list[str] | None:
    """`docker compose` (the plugin) or docker-compose 1.x, whichever answers."""
    for cmd in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(cmd[0]) is None:
            continue
        done = subprocess.run([*cmd, "version"], capture_output=True, timeout=30)
        if done.returncode == 0:
            return cmd
    return None


def test_docker_compose_up_serves_a_healthy_app_with_the_demo_run(
    image: dict[str, object], tmp_path: Path
) -> None:
    """The README's `docker compose up -d` with the repository's docker-compose.yml; an override
    file only points it at this test's image and volumes of its own (so a real deployment's
    `a11y-judge-data` is never touched), and A11Y_JUDGE_PORT at a free port."""
    compose = _compose()
    if compose is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    project = f"a11y-judge-compose-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    override = tmp_path / "override.yml"
    override.write_text(
        f"services:\n  a11y-judge:\n    image: {TAG}\n"
        f"volumes:\n  a11y-judge-data:\n    name: {project}-data\n"
        f"  a11y-judge-output:\n    name: {project}-output\n",
        encoding="utf-8",
    )
    files = ["-f", str(REPO / "docker-compose.yml"), "-f", str(override), "-p", project]

    env = os.environ | {"A11Y_JUDGE_PORT": str(port)}  # the port docker-compose.yml publishes

    def run(*args: str, timeout: float = 180) -> str:
        done = subprocess.run(
            [*compose, *files, *args], capture_output=True, text=True, timeout=timeout, env=env
        )
        if done.returncode != 0:
            pytest.fail(f"compose {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout.strip()

    try:
        run("up", "-d", "--no-build")
        box = Container(
            run("ps", "-q", "a11y-judge"), f"{project}-data", f"http://127.0.0.1:{port}"
        )
        box.wait_healthy()  # the health check docker-compose.yml declares
        with urllib.request.urlopen(f"{box.url}/_stcore/health", timeout=5) as resp:
            assert resp.read() == b"ok"
        runs = box.runs()
        assert [r["audit_name"] for r in runs] == ["northwind-audit"]  # the first start's demo
        mounts = _docker("inspect", "--format", "{{range .Mounts}}{{.Name}} {{end}}", box.name)
        assert sorted(mounts.split()) == [f"{project}-data", f"{project}-output"]
    finally:
        run("down", "-v", timeout=120)
