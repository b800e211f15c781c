#!/usr/bin/env bash
# Installs what mmsim needs to build, test and train.
# Run `tools/setup.sh --help` for the modes and environment variables.
set -euo pipefail

readonly TORCH_VERSION="2.11.0"
readonly PY_PACKAGES=(numpy pandas matplotlib tensorboard)

# Debian packages of the default mode (python3-venv is added only when needed).
readonly APT_PACKAGES=(
  cmake ninja-build g++ ccache pkg-config binutils
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libzstd-dev zstd librandom123-dev libgtest-dev libgmock-dev libbenchmark-dev
)

# Libraries and headers bundled by --download. The runtime packages these pin to
# an exact version are added automatically; on Debian 12 that gives
#   libyaml-cpp0.7 libspdlog1.10 libfmt9 libzstd1 googletest libbenchmark1debian
readonly BUNDLE_PACKAGES=(
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libzstd-dev librandom123-dev libgtest-dev libgmock-dev libbenchmark-dev
)

# Free space wanted before torch is installed: the venv (~5 GiB with its CUDA
# wheels) and pip's cache of the downloaded wheels (~3 GiB), plus some slack.
readonly NEED_VENV_GIB=6
readonly NEED_CACHE_GIB=4
readonly NEED_WHEELS_GIB=4

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$SCRIPT_DIR")"
readonly SCRIPT_DIR REPO_ROOT
readonly DEPS_DIR="$REPO_ROOT/.deps"
readonly PREFIX="$DEPS_DIR/prefix"
readonly PREFIX_STAMP="$DEPS_DIR/prefix.stamp"

MMSIM_VENV="${MMSIM_VENV:-${XDG_DATA_HOME:-$HOME/.local/share}/mmsim/venv}"
MMSIM_SKIP_TORCH="${MMSIM_SKIP_TORCH:-0}"
VENV_PY="$MMSIM_VENV/bin/python"

log() { printf '[setup] %s\n' "$*"; }
warn() { printf '[setup] warning: %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# Prints words $2... wrapped at 79 columns, each line indented by $1 spaces.
wrap() {
  local indent="$1"
  shift
  printf '%s\n' "$*" | fold -s -w $((79 - indent)) | sed -e 's/ *$//' -e "s/^/$(printf '%*s' "$indent" '')/"
}

usage() {
  cat <<EOF
Usage: tools/setup.sh [--download DIR [--with-wheels] | --offline DIR | --help]

Installs what mmsim needs to build, test and train. Every mode is idempotent:
a second run on a machine that is already set up changes nothing.

Modes:
  (no arguments)     Online setup of this Debian 12 machine:
                     1. When torch still has to be installed, checks that the
                        filesystem of the venv's parent folder (and of pip's
                        cache) has ~$((NEED_VENV_GIB + NEED_CACHE_GIB)) GiB free.
                     2. Installs the missing Debian packages with apt-get (as
                        root, or through sudo when not root):
$(wrap 24 "${APT_PACKAGES[@]}")
                        and python3-venv when python3 cannot create a venv.
                     3. Creates the venv (MMSIM_VENV) and installs from PyPI
                        what it lacks of:
                        torch==$TORCH_VERSION ${PY_PACKAGES[*]}
                        If python3 already has torch $TORCH_VERSION, the venv is
                        created with --system-site-packages and reuses it.
                     Prints the venv and torch's CMake prefix at the end.

  --download DIR     For a machine without network: runs apt-get update and
                     downloads into DIR/debs the .deb files of the build's
                     libraries and headers:
$(wrap 24 "${BUNDLE_PACKAGES[@]}")
                     plus the runtime packages they pin, on Debian 12:
                        libyaml-cpp0.7 libspdlog1.10 libfmt9 libzstd1
                        googletest libbenchmark1debian
                     and writes DIR/MANIFEST.txt.
  --with-wheels      With --download: also downloads the wheels of
                     torch==$TORCH_VERSION ${PY_PACKAGES[*]}
                     and their dependencies into DIR/wheels (~3 GiB). They
                     are for this machine's Python version and platform; the
                     machine that installs them needs the same.

  --offline DIR      Uses no network and never calls apt-get:
                     1. Unpacks DIR/debs/*.deb into the project-local prefix
                        <repo>/.deps/prefix, which the CMake build searches by
                        itself (skipped when the same .deb files are already
                        unpacked there).
                     2. Sets up the venv: reuses python3's torch $TORCH_VERSION
                        if it has one, else installs from DIR/wheels if that
                        exists, else explains how to provide torch (the
                        simulator and its tests build without it).
                     cmake, a C++ compiler and ninja must already be installed.

  -h, --help         Shows this text.

Environment variables:
  MMSIM_VENV         The Python venv. Default:
                       \${XDG_DATA_HOME:-\$HOME/.local/share}/mmsim/venv
                     It lies outside the checkout so that every clone on the
                     machine shares it; the CMake build looks for torch there.
                     Currently: $MMSIM_VENV
  MMSIM_SKIP_TORCH=1 Skips the Python part (venv, torch, Python packages).
  XDG_DATA_HOME      Moves the default venv (see MMSIM_VENV).
  XDG_CACHE_HOME, PIP_CACHE_DIR
                     Where pip caches its downloads (default ~/.cache/pip).
EOF
}

# ---------------------------------------------------------------------------
# Helpers

as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $*; run this script as root or install sudo"
  fi
}

# Nearest existing directory at or above $1.
existing_dir() {
  local d="$1"
  while [[ ! -d "$d" ]]; do d="$(dirname "$d")"; done
  printf '%s\n' "$d"
}

free_kib() { df -Pk "$1" | awk 'NR == 2 { print $4 }'; }
fs_id() { stat -c %d "$1"; }
kib_to_gib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1048576 }'; }

# require_space LABEL DIR GIB
require_space() {
  local label="$1" dir free need
  dir="$(existing_dir "$2")"
  need=$(($3 * 1048576))
  free="$(free_kib "$dir")"
  log "disk: $label needs ~$3 GiB free on $dir ($(kib_to_gib "$free") GiB free)"
  if ((free < need)); then
    die "not enough disk space on $dir for $label: need ~$3 GiB, $(kib_to_gib "$free") GiB free (free some space, or set MMSIM_VENV / XDG_CACHE_HOME to a larger disk, or MMSIM_SKIP_TORCH=1)"
  fi
}

pip_cache_dir() {
  printf '%s\n' "${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pip}"
}

# Checks space for installing torch into the venv; with_cache=1 when the
# wheels are downloaded (and cached) too.
check_torch_space() {
  local with_cache="$1" venv_parent cache
  venv_parent="$(dirname "$MMSIM_VENV")"
  if [[ "$with_cache" != 1 ]]; then
    require_space "the torch venv" "$venv_parent" "$NEED_VENV_GIB"
    return
  fi
  cache="$(pip_cache_dir)"
  if [[ "$(fs_id "$(existing_dir "$venv_parent")")" == "$(fs_id "$(existing_dir "$cache")")" ]]; then
    require_space "torch (venv + pip cache)" "$venv_parent" $((NEED_VENV_GIB + NEED_CACHE_GIB))
  else
    require_space "the torch venv" "$venv_parent" "$NEED_VENV_GIB"
    require_space "pip's download cache" "$cache" "$NEED_CACHE_GIB"
  fi
}

# Debian's python3 has the venv module even without python3-venv, but then
# lacks ensurepip and cannot create a venv with pip in it.
python3_can_make_venv() {
  command -v python3 >/dev/null 2>&1 &&
    python3 -m venv --help >/dev/null 2>&1 &&
    python3 -c 'import ensurepip' >/dev/null 2>&1
}

python3_has_torch() {
  command -v python3 >/dev/null 2>&1 &&
    python3 -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('$TORCH_VERSION') else 1)" >/dev/null 2>&1
}

# Probes the venv. Sets VENV_STATE (absent | ok), VENV_MISSING (requirements
# to install), VENV_ERRORS (why imports failed) and TORCH_CMAKE_PREFIX.
probe_venv() {
  VENV_MISSING=()
  VENV_ERRORS=""
  TORCH_CMAKE_PREFIX=""
  if [[ ! -e "$VENV_PY" ]]; then
    VENV_STATE=absent
    VENV_MISSING=("torch==$TORCH_VERSION" "${PY_PACKAGES[@]}")
    return
  fi
  local out line
  if ! out="$("$VENV_PY" - "$TORCH_VERSION" "${PY_PACKAGES[@]}" 2>/dev/null <<'PY'
import importlib, sys
want = sys.argv[1]
try:
    import torch
    if not torch.__version__.startswith(want):
        raise ImportError("torch %s is installed, %s is wanted" % (torch.__version__, want))
    print("prefix " + torch.utils.cmake_prefix_path)
except Exception as e:
    print("missing torch==" + want)
    print("error torch: %s" % (str(e).splitlines() or [type(e).__name__])[0])
for name in sys.argv[2:]:
    try:
        importlib.import_module(name)
    except Exception as e:
        print("missing " + name)
        print("error %s: %s" % (name, (str(e).splitlines() or [type(e).__name__])[0]))
PY
)"; then
    die "the venv's python ($VENV_PY) does not run; remove $MMSIM_VENV and run this script again"
  fi
  VENV_STATE=ok
  while IFS= read -r line; do
    case "$line" in
      "missing "*) VENV_MISSING+=("${line#missing }") ;;
      "error "*) VENV_ERRORS+="  ${line#error }"$'\n' ;;
      "prefix "*) TORCH_CMAKE_PREFIX="${line#prefix }" ;;
    esac
  done <<<"$out"
}

venv_lacks_torch() {
  local r
  for r in "${VENV_MISSING[@]}"; do [[ "$r" == torch* ]] && return 0; done
  return 1
}

create_venv() {
  local upgrade_pip="$1" args=()
  python3_can_make_venv ||
    die "python3 cannot create a venv (install the Debian package python3-venv)"
  if python3_has_torch; then
    log "python3 already has torch $TORCH_VERSION: the venv reuses it (--system-site-packages)"
    args+=(--system-site-packages)
  fi
  log "creating the venv $MMSIM_VENV"
  mkdir -p "$(dirname "$MMSIM_VENV")"
  python3 -m venv "${args[@]}" "$MMSIM_VENV"
  if [[ "$upgrade_pip" == 1 ]]; then
    log "upgrading pip in the venv"
    "$VENV_PY" -m pip install --quiet --disable-pip-version-check --upgrade pip
  fi
}

print_summary() {
  if [[ ! -e "$VENV_PY" ]]; then
    log "venv: $MMSIM_VENV (not created)"
    return
  fi
  log "venv: $MMSIM_VENV"
  if [[ -n "$TORCH_CMAKE_PREFIX" ]]; then
    log "torch cmake prefix: $TORCH_CMAKE_PREFIX"
  else
    log "torch cmake prefix: (torch $TORCH_VERSION not installed)"
  fi
}

# ---------------------------------------------------------------------------
# Default mode

apt_missing() {
  local out pkg status
  MISSING_DEBS=()
  out="$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true)"
  for pkg in "$@"; do
    status="$(awk -v p="$pkg" '$1 == p { $1 = ""; sub(/^ /, ""); print; exit }' <<<"$out")"
    [[ "$status" == "install ok installed" ]] || MISSING_DEBS+=("$pkg")
  done
}

install_debian_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    die "apt-get/dpkg not found: this script sets up Debian 12; elsewhere install the equivalents of: ${APT_PACKAGES[*]}"
  fi
  local pkgs=("${APT_PACKAGES[@]}")
  if [[ "$MMSIM_SKIP_TORCH" != 1 ]] && ! python3_can_make_venv; then
    pkgs+=(python3-venv)
  fi
  apt_missing "${pkgs[@]}"
  if ((${#MISSING_DEBS[@]} == 0)); then
    log "Debian packages: all ${#pkgs[@]} installed"
    return
  fi
  log "Debian packages to install: ${MISSING_DEBS[*]}"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${MISSING_DEBS[@]}"
}

setup_python_online() {
  if [[ "$VENV_STATE" == absent ]]; then
    create_venv 1
    probe_venv
  fi
  if ((${#VENV_MISSING[@]} > 0)); then
    log "installing into the venv: ${VENV_MISSING[*]}"
    "$VENV_PY" -m pip install --disable-pip-version-check "${VENV_MISSING[@]}"
    probe_venv
    ((${#VENV_MISSING[@]} == 0)) ||
      die "still missing in the venv after pip install: ${VENV_MISSING[*]}"$'\n'"$VENV_ERRORS"
  else
    log "venv: torch $TORCH_VERSION ${PY_PACKAGES[*]} present"
  fi
}

mode_default() {
  if [[ "$MMSIM_SKIP_TORCH" != 1 ]]; then
    probe_venv
    if venv_lacks_torch && ! { [[ "$VENV_STATE" == absent ]] && python3_has_torch; }; then
      check_torch_space 1
    fi
  fi
  install_debian_packages
  if [[ "$MMSIM_SKIP_TORCH" == 1 ]]; then
    log "MMSIM_SKIP_TORCH=1: skipping the Python venv and torch"
  else
    setup_python_online
    print_summary
  fi
  log "done"
}

# ---------------------------------------------------------------------------
# --download DIR [--with-wheels]

# Resolves BUNDLE_PACKAGES plus, recursively, the packages they depend on with
# an exact version (their runtime libraries). Sets BUNDLE (names) and
# DEB_FILE[name] (the file name apt-get download gives the candidate).
resolve_bundle() {
  local queue=("${BUNDLE_PACKAGES[@]}") seen=" " missing=() pkg ver arch deps dep
  BUNDLE=()
  declare -gA DEB_FILE=()
  while ((${#queue[@]} > 0)); do
    local round=()
    for pkg in "${queue[@]}"; do
      [[ "$seen" == *" $pkg "* ]] && continue
      seen+="$pkg "
      round+=("$pkg")
    done
    queue=()
    ((${#round[@]} > 0)) || break
    # One record per real package: "name version arch pinned-dep...".
    local records
    records="$(apt-cache show --no-all-versions "${round[@]}" 2>/dev/null | awk '
      function flush() { if (p != "" && !(p in done)) { print p, v, a, d; done[p] = 1 } p = v = a = d = "" }
      /^Package: / { flush(); p = $2 }
      /^Version: / { v = $2 }
      /^Architecture: / { a = $2 }
      /^(Pre-)?Depends: / {
        sub(/^[^:]*: /, ""); n = split($0, items, /, */)
        for (i = 1; i <= n; i++)
          if (items[i] ~ /^[^ |]+ \(= [^)]*\)$/) { split(items[i], w, /[ :]/); d = d " " w[1] }
      }
      END { flush() }' || true)"
    for pkg in "${round[@]}"; do
      read -r ver arch deps < <(awk -v p="$pkg" '$1 == p { $1 = ""; print; exit }' <<<"$records") || true
      if [[ -z "${ver:-}" ]]; then
        missing+=("$pkg")
        continue
      fi
      BUNDLE+=("$pkg")
      DEB_FILE[$pkg]="${pkg}_${ver//:/%3a}_${arch}.deb"
      for dep in $deps; do queue+=("$dep"); done
      ver=""
    done
  done
  ((${#missing[@]} == 0)) ||
    die "no installable Debian package named: ${missing[*]} (check the apt sources)"
}

download_debs() {
  local dir="$1/debs" pkg file old todo=()
  command -v apt-get >/dev/null 2>&1 || die "--download needs apt-get (Debian)"
  mkdir -p "$dir"
  log "updating the apt package lists"
  as_root apt-get update -qq
  resolve_bundle
  log "Debian packages: ${BUNDLE[*]}"
  for pkg in "${BUNDLE[@]}"; do
    file="${DEB_FILE[$pkg]}"
    for old in "$dir/${pkg}"_*.deb; do
      [[ -e "$old" && "$(basename "$old")" != "$file" ]] || continue
      log "removing the outdated $(basename "$old")"
      rm -f "$old"
    done
    [[ -s "$dir/$file" ]] || todo+=("$pkg")
  done
  if ((${#todo[@]} == 0)); then
    log "debs: all ${#BUNDLE[@]} already in $dir"
    return
  fi
  log "downloading ${#todo[@]} .deb files into $dir"
  local apt_opts=()
  # As root, apt would otherwise warn that its sandbox user cannot write DIR.
  if [[ $EUID -eq 0 ]]; then apt_opts=(-o APT::Sandbox::User=root); fi
  (cd "$dir" && apt-get -qq "${apt_opts[@]}" download "${todo[@]}")
}

pick_pip_python() {
  if [[ -x "$VENV_PY" ]] && "$VENV_PY" -m pip --version >/dev/null 2>&1; then
    PIP_PY="$VENV_PY"
  elif command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then
    PIP_PY="$(command -v python3)"
  else
    die "--with-wheels needs pip: run tools/setup.sh (online) first, or install python3-pip"
  fi
}

download_wheels() {
  local dir="$1/wheels"
  pick_pip_python
  require_space "the wheel download" "$1" "$NEED_WHEELS_GIB"
  mkdir -p "$dir"
  log "downloading torch==$TORCH_VERSION ${PY_PACKAGES[*]} and dependencies into $dir (with $PIP_PY)"
  "$PIP_PY" -m pip download --disable-pip-version-check --only-binary=:all: \
    --dest "$dir" "torch==$TORCH_VERSION" "${PY_PACKAGES[@]}"
}

write_manifest() {
  local dir="$1" f
  {
    echo "# mmsim dependency bundle: install with tools/setup.sh --offline $dir"
    echo "created: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "system: $(sed -n 's/^PRETTY_NAME=//p' /etc/os-release 2>/dev/null | tr -d '"') ($(dpkg --print-architecture 2>/dev/null || uname -m))"
    echo
    echo "debs/ (package version architecture file):"
    for f in "$dir"/debs/*.deb; do
      [[ -e "$f" ]] || continue
      printf '  %s %s %s %s\n' "$(dpkg-deb -f "$f" Package)" "$(dpkg-deb -f "$f" Version)" \
        "$(dpkg-deb -f "$f" Architecture)" "$(basename "$f")"
    done
    if [[ -d "$dir/wheels" ]]; then
      echo
      if [[ -n "${PIP_PY:-}" ]]; then
        echo "python: $("$PIP_PY" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')"
      fi
      echo "wheels/:"
      for f in "$dir"/wheels/*; do
        [[ -e "$f" ]] && printf '  %s\n' "$(basename "$f")"
      done
    fi
  } >"$dir/MANIFEST.txt"
  log "wrote $dir/MANIFEST.txt"
}

mode_download() {
  local dir="$1" with_wheels="$2"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  download_debs "$dir"
  if [[ "$with_wheels" == 1 ]]; then
    download_wheels "$dir"
  fi
  write_manifest "$dir"
  log "done: copy $dir to the other machine and run tools/setup.sh --offline <that folder>"
}

# ---------------------------------------------------------------------------
# --offline DIR

sed_escape() { printf '%s' "$1" | sed 's/[\\|&#]/\\&/g'; }

# Points absolute symlinks into the prefix and reports links that dangle or
# lead out of it.
fix_symlinks() {
  local root="$1" real link target rel resolved
  real="$(realpath "$root")"
  while IFS= read -r -d '' link; do
    target="$(readlink "$link")"
    if [[ "$target" == /* ]]; then
      rel="$(realpath -m --relative-to="$(dirname "$link")" "$root$target")"
      ln -sfn "$rel" "$link"
    fi
    case "$link" in
      *.so | *.so.* | *.a | *.h | *.hpp | *.cmake | *.pc) ;;
      *) continue ;;
    esac
    resolved="$(realpath -m "$link")"
    if [[ ! -e "$link" ]]; then
      warn "dangling symlink in the prefix: ${link#"$root"/} -> $(readlink "$link")"
    elif [[ "$resolved" != "$real"/* ]]; then
      warn "symlink leads out of the prefix: ${link#"$root"/} -> $resolved"
    fi
  done < <(find "$root" -type l -print0)
}

# The Debian CMake config files locate themselves relative to their own folder;
# their only absolute /usr paths are in the "/usr move" check and cannot match
# inside the prefix. They, and the pkg-config files, are pointed at the prefix
# anyway so that nothing in the prefix refers to the system's /usr.
fix_config_paths() {
  local root="$1" final="$2" p
  p="$(sed_escape "$final")"
  find "$root" -type f -name '*.cmake' -exec \
    sed -i -e "s|\"/usr\\([/\"]\\)|\"$p/usr\\1|g" -e "s|;/usr/|;$p/usr/|g" {} +
  find "$root" -type f -name '*.pc' -exec \
    sed -i -e "s#\\(=\\|-I\\|-L\\)/usr\\(/\\|\$\\|[[:space:]]\\)#\\1$p/usr\\2#g" {} +
}

unpack_debs() {
  local debdir="$1/debs" debs=() stamp tmp deb
  command -v dpkg-deb >/dev/null 2>&1 || die "--offline needs dpkg-deb (Debian)"
  shopt -s nullglob
  debs=("$debdir"/*.deb)
  shopt -u nullglob
  ((${#debs[@]} > 0)) || die "no .deb files in $debdir (make them with tools/setup.sh --download DIR on a machine with network)"
  stamp="$(printf 'prefix %s\n' "$PREFIX"; cd "$debdir" && sha256sum -- *.deb)"
  if [[ -d "$PREFIX" && -f "$PREFIX_STAMP" && "$(cat "$PREFIX_STAMP")" == "$stamp" ]]; then
    log "prefix: the ${#debs[@]} .deb files are already unpacked in $PREFIX"
    return
  fi
  log "unpacking ${#debs[@]} .deb files into $PREFIX"
  tmp="$DEPS_DIR/prefix.new"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  for deb in "${debs[@]}"; do
    dpkg-deb -x "$deb" "$tmp"
  done
  fix_symlinks "$tmp"
  fix_config_paths "$tmp" "$PREFIX"
  rm -rf "$PREFIX" "$PREFIX_STAMP"
  mv "$tmp" "$PREFIX"
  printf '%s\n' "$stamp" >"$PREFIX_STAMP"
  log "prefix: headers in $PREFIX/usr/include, CMake packages under $PREFIX/usr/lib/*/cmake and $PREFIX/usr/share/cmake"
}

check_build_tools() {
  local tool missing=()
  for tool in cmake g++ ninja; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) ||
    warn "not found: ${missing[*]} (the build needs cmake, a C++17 compiler and ninja or make; this mode cannot install them)"
}

torch_help() {
  cat >&2 <<EOF
[setup] training needs torch $TORCH_VERSION (the simulator and its tests build without it). Either:
[setup]   - install torch $TORCH_VERSION into python3 and run this again (the venv will reuse it), or
[setup]   - on a machine with network and the same Python version, run
[setup]       tools/setup.sh --download DIR --with-wheels
[setup]     copy DIR here and run tools/setup.sh --offline DIR again.
EOF
}

setup_python_offline() {
  local dir="$1" wheels="$1/wheels" tag want space_checked=0
  probe_venv
  if [[ "$VENV_STATE" == ok && ${#VENV_MISSING[@]} -eq 0 ]]; then
    log "venv: torch $TORCH_VERSION ${PY_PACKAGES[*]} present"
    return
  fi
  if [[ "$VENV_STATE" == absent ]]; then
    if ! python3_has_torch; then
      if [[ ! -d "$wheels" ]]; then
        warn "python3 has no torch $TORCH_VERSION and $wheels does not exist: no venv created"
        torch_help
        return
      fi
      check_torch_space 0
      space_checked=1
    fi
    create_venv 0
    probe_venv
    ((${#VENV_MISSING[@]} > 0)) || return 0
  fi
  if [[ ! -d "$wheels" ]]; then
    warn "missing in the venv and no $wheels to install from: ${VENV_MISSING[*]}"
    if venv_lacks_torch; then torch_help; fi
    return
  fi
  want="$(sed -n 's/^python: //p' "$dir/MANIFEST.txt" 2>/dev/null || true)"
  tag="$("$VENV_PY" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')"
  if [[ -n "$want" && "$want" != "$tag" ]]; then
    warn "the wheels in $wheels are for $want but the venv's Python is $tag; pip will likely not find matching wheels"
  fi
  if venv_lacks_torch && [[ "$space_checked" == 0 ]]; then check_torch_space 0; fi
  log "installing from $wheels into the venv: ${VENV_MISSING[*]}"
  "$VENV_PY" -m pip install --disable-pip-version-check --no-index --find-links "$wheels" \
    "${VENV_MISSING[@]}"
  probe_venv
  ((${#VENV_MISSING[@]} == 0)) ||
    die "still missing in the venv after installing from $wheels: ${VENV_MISSING[*]}"$'\n'"$VENV_ERRORS"
}

mode_offline() {
  local dir="$1"
  [[ -d "$dir" ]] || die "no such folder: $dir"
  dir="$(cd "$dir" && pwd)"
  # Keep pip (and anything it starts) off the network.
  export PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
  unpack_debs "$dir"
  check_build_tools
  if [[ "$MMSIM_SKIP_TORCH" == 1 ]]; then
    log "MMSIM_SKIP_TORCH=1: skipping the Python venv and torch"
  else
    setup_python_offline "$dir"
    print_summary
  fi
  log "done"
}

# ---------------------------------------------------------------------------

main() {
  local mode=default dir="" with_wheels=0
  while (($# > 0)); do
    case "$1" in
      -h | --help) usage; exit 0 ;;
      --download | --offline)
        [[ "$mode" == default ]] || die "use only one of --download and --offline"
        if (($# < 2)) || [[ -z "$2" ]]; then die "$1 needs a folder (see --help)"; fi
        mode="${1#--}"
        dir="$2"
        shift
        ;;
      --download=* | --offline=*)
        [[ "$mode" == default ]] || die "use only one of --download and --offline"
        mode="${1%%=*}"
        mode="${mode#--}"
        dir="${1#*=}"
        [[ -n "$dir" ]] || die "${1%%=*} needs a folder (see --help)"
        ;;
      --with-wheels) with_wheels=1 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
  done
  if [[ "$with_wheels" == 1 && "$mode" != download ]]; then
    die "--with-wheels goes with --download DIR"
  fi
  case "$mode" in
    default) mode_default ;;
    download) mode_download "$dir" "$with_wheels" ;;
    offline) mode_offline "$dir" ;;
  esac
}

main "$@"
