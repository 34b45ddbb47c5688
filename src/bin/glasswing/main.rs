//! The `glasswing` command. Native only: the wasm build is the library alone,
//! and this stub just lets `cargo test --target wasm32-unknown-unknown` build.

#[cfg(not(target_arch = "wasm32"))]
mod cli;
#[cfg(not(target_arch = "wasm32"))]
mod generate;
#[cfg(not(target_arch = "wasm32"))]
mod interp;
#[cfg(not(target_arch = "wasm32"))]
mod term;
#[cfg(not(target_arch = "wasm32"))]
mod train;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::run()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
