//! The wasmtime settings of relkit's engine.
//!
//! `host/build.rs` includes this file as well: a precompiled plugin only loads
//! into an engine built with the same settings (fuel on, Cranelift, target),
//! so the build and the binary must never disagree.

/// The wasm stack a plugin may use.
pub const MAX_WASM_STACK: usize = 1 << 20;

/// The engine configuration used to precompile the built-in plugins at build
/// time, to compile third-party plugins at run time, and to run them all.
pub fn engine_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model(true);
    // Fuel bounds a plugin's CPU deterministically (`[plugins] fuel`).
    config.consume_fuel(true);
    config.max_wasm_stack(MAX_WASM_STACK);
    config.cranelift_opt_level(wasmtime::OptLevel::Speed);
    config
}
