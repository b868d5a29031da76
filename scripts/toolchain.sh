# Sourced by the build scripts: picks the Rust toolchain that can reach wasm32 and exports
#   SIMDOPT_CARGO      the cargo to run (with its rustc next to it on PATH)
#   SIMDOPT_BUILD_STD  1 when core must be built from source (Debian's rustc-web), else 0
#   SIMDOPT_RUST_SRC   the vendored std sources for build-std
# Order: a rustup toolchain that already has the wasm32 target (a normal developer machine);
# else Debian's rustc-web (installed here when running as root and it is missing).

DEBIAN_RUST_PACKAGES="rustc-web cargo-web rust-web-src rust-web-llvm lld-22 rustfmt-web"
SIMDOPT_RUST_SRC=/usr/lib/rustlib/src/rust/library

simdopt_have_rustup_wasm() {
  command -v rustup >/dev/null 2>&1 && command -v cargo >/dev/null 2>&1 &&
    rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown
}

simdopt_have_debian_rust() {
  [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] && [ -d "$SIMDOPT_RUST_SRC/vendor" ] &&
    [ -x /usr/bin/rust-lld ] && [ -x /usr/bin/rustfmt ] && /usr/bin/rustc --version 2>/dev/null | grep -qE '^rustc 1\.(8[5-9]|9[0-9]|[1-9][0-9]{2})'
}

simdopt_pick_toolchain() {
  if [ "${SIMDOPT_TOOLCHAIN:-}" != debian ] && simdopt_have_rustup_wasm; then
    SIMDOPT_CARGO=cargo
    SIMDOPT_BUILD_STD=0
  else
    if ! simdopt_have_debian_rust; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing Debian's Rust toolchain for wasm32 ($DEBIAN_RUST_PACKAGES)" >&2
        # libstd-rust-dev-wasm32 is deliberately absent: it is the std of Debian's old rustc.
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $DEBIAN_RUST_PACKAGES) >&2 || return 1
      else
        cat >&2 <<'MSG'
setup: no Rust toolchain that can build wasm32 was found. Either
  rustup target add wasm32-unknown-unknown        (a rustup toolchain), or, on Debian as root,
  apt-get install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
MSG
        return 1
      fi
    fi
    # Debian's cargo with Debian's rustc: rustup's ~/.cargo/bin must not shadow them.
    export PATH="/usr/bin:$PATH"
    SIMDOPT_CARGO=/usr/bin/cargo
    SIMDOPT_BUILD_STD=1
  fi
  export SIMDOPT_CARGO SIMDOPT_BUILD_STD SIMDOPT_RUST_SRC
}
