"""A loopback OpenAI-compatible + Gemini test double, for trying the LLM-judge plumbing offline.

It answers every request with a schema-valid reply whose scores are a constant — it judges
nothing. Use it to see a jury run end to end without a model (Settings → openai-compatible, or
`--judge openai-compatible:fake@http://127.0.0.1:8765/v1`); use a real model for real scores.

    .venv/bin/python scripts/fake_llm_server.py [--port 8765] [--latency 0.2] [--score 6]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakes.llm_server import FakeLLMServer, constant_responder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--latency", type=float, default=0.2, help="seconds before each reply")
    ap.add_argument("--score", type=float, default=6.0, help="the constant score it replies")
    args = ap.parse_args()

    server = FakeLLMServer(constant_responder(args.score), latency=args.latency, port=args.port)
    with server:
        print(f"test double listening: OpenAI-compatible base URL {server.openai_base_url}")
        print(f"  e.g. --judge openai-compatible:fake@{server.openai_base_url}")
        print("  its scores are a constant, not a judgment. Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("stopped")


if __name__ == "__main__":
    main()
