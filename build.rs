//! Only for the optional `rust-bert` feature: record where libtorch is (LIBTORCH, set by
//! `source models/libtorch/env.sh`) in the binaries, so they run without LD_LIBRARY_PATH.
//! DT_RPATH rather than DT_RUNPATH, because libtorch_cpu.so finds its own dependencies
//! (libcudart, libgomp) through it too.

fn main() {
    println!("cargo:rerun-if-env-changed=LIBTORCH");
    if std::env::var_os("CARGO_FEATURE_RUST_BERT").is_none() {
        return;
    }
    if let Some(libtorch) = std::env::var_os("LIBTORCH") {
        let lib = std::path::Path::new(&libtorch).join("lib");
        println!("cargo:rustc-link-arg=-Wl,--disable-new-dtags");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    }
}
