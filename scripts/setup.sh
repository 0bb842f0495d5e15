#!/usr/bin/env bash
# Set up Folio on a Debian machine: system packages (as root), then .venv with folio installed.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  tesseract-ocr tesseract-ocr-spa tesseract-ocr-osd   # the OCR engine and its Spanish data
  libtesseract-dev libleptonica-dev pkg-config g++ python3-dev  # to build tesserocr (tesseract in-process)
  poppler-utils                                       # pdfinfo, pdftoppm, pdfimages
  redis-server                                        # the queue's broker
  postgresql                                          # the queue's integration tests run on a real server too
  fonts-dejavu-core fonts-liberation fonts-freefont-ttf  # fonts the sample generator prints with
  chromium                                            # the real browser of the end-to-end tests
  python3 python3-venv python3-pip
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run this script as root (or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
stamp=.venv/.folio-installed
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing folio into .venv"
  log=.venv/pip-install.log
  # tesserocr (extra "fastocr") is optional: where it does not build, tesseract runs through its CLI.
  # Built from source (--no-binary) against Debian's libtesseract: a binary wheel bundles another build.
  if ! { .venv/bin/python -m pip install --upgrade pip &&
         { .venv/bin/python -m pip install --no-binary tesserocr -e ".[dev,fastocr]" || .venv/bin/python -m pip install -e ".[dev]"; }; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "setup: pip install failed; the whole log is in $log" >&2
    exit 1
  fi
  .venv/bin/python -c "import folio, cv2, pytesseract, rapidfuzz, django, celery"
  touch "$stamp"
fi
echo "setup: ready ($(.venv/bin/folio --help >/dev/null && echo 'folio installed'))"
