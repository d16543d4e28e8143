//! A plugin built against `relkit:plugin@9.0.0`, for the test that the host
//! refuses a contract version it does not support.

// The generated export glue is `unsafe` by nature (raw ABI functions).
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod export {
    wit_bindgen::generate!({ world: "future-plugin", path: "wit" });

    use exports::relkit::plugin::info::{Guest, Metadata};

    struct Plugin;

    impl Guest for Plugin {
        fn plugin_info() -> Metadata {
            Metadata {
                name: "future".to_string(),
                version: "1.0.0".to_string(),
                contract: "relkit:plugin@9.0.0".to_string(),
            }
        }
    }

    export!(Plugin);
}
