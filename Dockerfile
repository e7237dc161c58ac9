# A11y Judge in one container: the Streamlit app on port 8501, history and cache in /data.
#   make image                      (or: docker build -t a11y-judge .)
#   docker run -p 8501:8501 -v a11y-data:/data -v a11y-output:/app/output a11y-judge
# See README "Container". No `# syntax=` line: the daemon's built-in BuildKit frontend is used.

# ---- build: a venv with the package and its dependencies (all wheels), and the C scanner ----
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
# a C compiler for the term scanner (hatch_build.py), and Python's headers where this Python has
# none (python:3.11-slim has them; a Debian-python stand-in needs python3-dev); without them the
# package falls back to the pure-Python scanner (same results, slower): the build goes on
RUN (apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
     && { python -c "import pathlib, sys, sysconfig; sys.exit(not pathlib.Path(sysconfig.get_paths()['include'], 'Python.h').exists())" \
          || apt-get install -y --no-install-recommends python3-dev; } \
     && rm -rf /var/lib/apt/lists/*) || echo "no C compiler: the pure-Python scanner is used"
RUN python -m venv /opt/venv
WORKDIR /src
# dependencies first, in their own layer, so a source change does not reinstall them
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt
# the optional secret `ca` is the CA bundle of a TLS-intercepting proxy (docker-offline.sh);
# it is mounted for this step only and never stored in a layer
RUN --mount=type=secret,id=ca,required=false \
    if [ -f /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi; \
    /opt/venv/bin/pip install --upgrade pip \
    && /opt/venv/bin/pip install -r requirements.txt
COPY README.md hatch_build.py ./
COPY src ./src
RUN --mount=type=secret,id=ca,required=false \
    if [ -f /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi; \
    /opt/venv/bin/pip install --no-deps . \
    && /opt/venv/bin/pip uninstall -y pip \
    && find /opt/venv/lib/python3.11/site-packages -mindepth 2 -type d -name tests -prune \
       -exec rm -rf {} +
# (the last step drops the test suites that numpy, scipy, pandas and pyarrow ship: ~100 MB)

# ---- runtime: the venv, the app and its shipped resources, Pango for the PDF reports ----------
FROM python:3.11-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && useradd --system --uid 10001 --user-group --create-home --home-dir /home/app \
       --shell /usr/sbin/nologin app \
    && mkdir -p /data /app/output && chown app:app /data /app/output
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=root:root app ./app
COPY --chown=root:root prompts ./prompts
COPY --chown=root:root data ./data
COPY --chown=root:root .streamlit/config.toml ./.streamlit/config.toml
COPY --chown=root:root scripts/container-start.sh /usr/local/bin/container-start
# shipped resources come from /app (the wheel lives in the venv, not next to data/ and prompts/);
# user state (history.sqlite, cache/, batches/, thresholds.yaml, .env) goes to /data
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    A11Y_JUDGE_RESOURCES=/app \
    A11Y_JUDGE_HOME=/data \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
USER app
VOLUME ["/data", "/app/output"]
EXPOSE 8501
HEALTHCHECK --interval=5s --timeout=4s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=3).status != 200)"]
# no arguments: record the demo run if the history is empty, then serve the app;
# with arguments: run them instead (e.g. `a11y-judge history list`)
ENTRYPOINT ["container-start"]
