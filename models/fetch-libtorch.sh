#!/usr/bin/env bash
# Installs the CPU part of libtorch 2.4.0 into models/libtorch/ for the optional `rust-bert`
# engine (cargo feature `rust-bert`; rust-bert 0.23 needs tch 0.17, which needs libtorch 2.4.x).
# The default candle engine needs none of this.
#
# libtorch comes from PyPI's torch==2.4.0 wheel, the only 2.4 build there. That wheel is the CUDA
# build: even libtorch_cpu.so needs libcudart.so.12 and libcupti.so.12, which come from two small
# NVIDIA wheels. Only what a CPU build links and loads is kept (about 0.5 GB): include/, and in lib/
# libc10, libtorch_cpu, libtorch, libshm, libtorch_global_deps, the wheel's libgomp and the two CUDA
# libraries. libtorch_cuda is left out on purpose: torch-sys links it whenever it finds it.
#
# Afterwards:   source models/libtorch/env.sh   (sets LIBTORCH, LIBTORCH_CXX11_ABI, LD_LIBRARY_PATH)
#               cargo build --release --features rust-bert
# Idempotent: a complete install is left alone.
set -euo pipefail

# Pinned with the sha256 of each wheel: pip refuses a download that does not match.
TORCH="torch==2.4.0 --hash=sha256:e743adadd8c8152bb8373543964551a7cb7cc20ba898dc8f9c0cdbe47c283de0"
CUDA_RUNTIME="nvidia-cuda-runtime-cu12==12.1.105 --hash=sha256:6e258468ddf5796e25f1dc591a31029fa317d97a0a94ed93468fc86301d61e40"
CUPTI="nvidia-cuda-cupti-cu12==12.1.105 --hash=sha256:e54fde3983165c624cb79254ae9818a456eb6e87a7fd4d56a2352c24ee542d7e"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="$here/libtorch"
python="${PYTHON:-python3}"

complete() {
  [ -f "$1/build-version" ] && [ -f "$1/env.sh" ] && [ -f "$1/include/torch/csrc/api/include/torch/torch.h" ] \
    && for lib in libc10.so libtorch_cpu.so libtorch.so libshm.so libtorch_global_deps.so libgomp.so \
         libcudart.so.12 libcupti.so.12; do [ -e "$1/lib/$lib" ] || return 1; done
}

if complete "$target"; then
  echo "libtorch already installed: $target"
  exit 0
fi

command -v "$python" >/dev/null || { echo "fetch-libtorch.sh: $python not found (needed for pip)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "downloading ${TORCH%% *} (about 800 MB), ${CUDA_RUNTIME%% *} and ${CUPTI%% *} from PyPI ..." >&2
printf '%s\n' "$TORCH" "$CUDA_RUNTIME" "$CUPTI" > "$work/requirements.txt"
# The wheels are only unpacked, never installed, so pin the platform instead of matching this Python.
"$python" -m pip download --quiet --no-deps --disable-pip-version-check --only-binary=:all: \
  --require-hashes --platform manylinux1_x86_64 --python-version 3.11 -d "$work/wheels" \
  -r "$work/requirements.txt"

staged="$work/libtorch"
"$python" - "$work/wheels" "$staged" <<'PY'
import pathlib, shutil, sys, zipfile

wheels, staged = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
lib = staged / "lib"
lib.mkdir(parents=True)
keep = ("libc10.so", "libtorch_cpu.so", "libtorch.so", "libshm.so", "libtorch_global_deps.so",
        "libgomp-", "libcudart.so.12", "libcupti.so.12")
for wheel in sorted(wheels.glob("*.whl")):
    with zipfile.ZipFile(wheel) as z:
        for member in z.infolist():
            name = member.filename
            if name.startswith("torch/include/") and not name.endswith("/"):
                dest = staged / name[len("torch/"):]
            elif "/lib/" in name and pathlib.PurePosixPath(name).name.startswith(keep):
                dest = lib / pathlib.PurePosixPath(name).name
            else:
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            with z.open(member) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)
# torch-sys links -lgomp: point it at the wheel's own OpenMP runtime, the one libtorch_cpu loads.
gomp = next(lib.glob("libgomp-*.so.1"))
(lib / "libgomp.so").symlink_to(gomp.name)
(staged / "build-version").write_text("2.4.0\n")
PY

cat > "$staged/env.sh" <<'SH'
# Source this before building or running with the rust-bert feature.
_libtorch_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export LIBTORCH="$_libtorch_dir"
# The PyPI wheel is built with the pre-C++11 ABI; without this the link fails on std::__cxx11.
export LIBTORCH_CXX11_ABI=0
# The binaries record this lib/ (build.rs); LD_LIBRARY_PATH covers a checkout moved since.
export LD_LIBRARY_PATH="$_libtorch_dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
unset _libtorch_dir
SH

complete "$staged" || { echo "fetch-libtorch.sh: the wheels did not hold the expected files" >&2; exit 1; }
rm -rf "$target.partial" "$target"
mv "$staged" "$target.partial"
mv "$target.partial" "$target"
echo "installed libtorch 2.4.0 (CPU) into $target; now: source models/libtorch/env.sh"
