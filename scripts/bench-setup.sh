#!/usr/bin/env bash
# The benchmark's own venv, .venv-bench, with img2table (compared with Folio by `make bench`).
# img2table requires opencv-contrib-python, which must never meet Folio's
# opencv-python-headless in .venv (two cv2 packages in one venv break each other),
# so it lives apart and bench/img2table_cmp.py runs it as a subprocess.
# Idempotent; if the install fails, `make bench` still runs and says img2table was not run.
set -euo pipefail
cd "$(dirname "$0")/.."

IMG2TABLE=img2table==2.0.0
PYTHON=${PYTHON:-python3}
stamp=.venv-bench/.installed-$IMG2TABLE
[ -f "$stamp" ] && exit 0
if [ ! -x .venv-bench/bin/python ]; then
  "$PYTHON" -m venv .venv-bench
fi
echo "bench-setup: installing $IMG2TABLE into .venv-bench"
log=.venv-bench/pip-install.log
if ! { .venv-bench/bin/python -m pip install --upgrade pip && .venv-bench/bin/python -m pip install "$IMG2TABLE"; } >"$log" 2>&1 \
   || ! .venv-bench/bin/python -c "import cv2; from img2table.document import Image; from img2table.ocr import TesseractOCR" >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "bench-setup: img2table could not be installed (log: $log); make bench will skip it" >&2
  exit 0
fi
touch "$stamp"
