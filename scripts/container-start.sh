#!/bin/sh
# The container's entry point. Without arguments: on first start (an empty history) record the
# demo evaluation, then serve the app on 0.0.0.0:8501. With arguments: run them instead, e.g.
#   docker run --rm -v a11y-data:/data a11y-judge a11y-judge history list
set -eu
if [ "$#" -gt 0 ]; then
  exec "$@"
fi
runs=$(a11y-judge history list --limit 1 --json)  # fails loudly if /data is not writable
if [ "$runs" = "[]" ]; then
  a11y-judge demo
else
  echo "history in $A11Y_JUDGE_HOME already holds runs: demo not recorded again"
fi
# browser.serverAddress: print the one URL instead of looking up this host's external IP online
exec streamlit run app/main.py \
  --server.address 0.0.0.0 \
  --server.port 8501 \
  --server.headless true \
  --browser.serverAddress localhost \
  --server.fileWatcherType none \
  --browser.gatherUsageStats false
