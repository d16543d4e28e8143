//! The export glue every plugin shares: one module of bindings per
//! capability interface, and the [`export_plugin!`](crate::export_plugin)
//! macro that exports a plugin's type through them.
//!
//! Why one generated world per interface rather than the WIT file's
//! `*-plugin` worlds: `wit_bindgen::generate!` with `pub_export_macro` puts a
//! `#[macro_export]` macro per exported interface at this crate's root, so two
//! worlds that both export `info` would define the same macro twice. Here
//! `info` is generated once and each capability once, in small inline worlds
//! of a `relkit:sdk` package that export the `relkit:plugin@0.1.0`
//! interfaces; the component a plugin becomes exports exactly the
//! interfaces it names, under their `relkit:plugin/...@0.1.0` names.

/// Generates the bindings of one inline world that exports `$interface`,
/// sharing the contract's types with [`crate::types`].
macro_rules! capability_world {
    ($world:literal, $wit:literal, $macro_name:literal) => {
        wit_bindgen::generate!({
            path: "../wit",
            inline: $wit,
            world: $world,
            with: { "relkit:plugin/types@0.1.0": crate::types },
            additional_derives: [PartialEq, Eq],
            pub_export_macro: true,
            export_macro_name: $macro_name,
        });
    };
}

/// `info`: the plugin's name, version and contract (every plugin exports it).
#[doc(hidden)]
#[allow(unsafe_code, unused_qualifications)] // generated bindings
pub mod info_world {
    // `info` uses no shared type, so it has no `with` remapping.
    wit_bindgen::generate!({
        path: "../wit",
        inline: "package relkit:sdk; world info { export relkit:plugin/info@0.1.0; }",
        world: "relkit:sdk/info",
        pub_export_macro: true,
        export_macro_name: "__relkit_export_info",
    });
}

/// `version-bump` bindings.
#[doc(hidden)]
#[allow(unsafe_code, unused_qualifications)]
pub mod version_bump_world {
    capability_world!(
        "relkit:sdk/version-bump",
        "package relkit:sdk; world version-bump { export relkit:plugin/version-bump@0.1.0; }",
        "__relkit_export_version_bump"
    );
}

/// `release-notes` bindings.
#[doc(hidden)]
#[allow(unsafe_code, unused_qualifications)]
pub mod release_notes_world {
    capability_world!(
        "relkit:sdk/release-notes",
        "package relkit:sdk; world release-notes { export relkit:plugin/release-notes@0.1.0; }",
        "__relkit_export_release_notes"
    );
}

/// `changelog` bindings.
#[doc(hidden)]
#[allow(unsafe_code, unused_qualifications)]
pub mod changelog_world {
    capability_world!(
        "relkit:sdk/changelog",
        "package relkit:sdk; world changelog { export relkit:plugin/changelog@0.1.0; }",
        "__relkit_export_changelog"
    );
}

/// `rollback` bindings.
#[doc(hidden)]
#[allow(unsafe_code, unused_qualifications)]
pub mod rollback_world {
    capability_world!(
        "relkit:sdk/rollback",
        "package relkit:sdk; world rollback { export relkit:plugin/rollback@0.1.0; }",
        "__relkit_export_rollback"
    );
}

/// `runbook` bindings.
#[doc(hidden)]
#[allow(unsafe_code, unused_qualifications)]
pub mod runbook_world {
    capability_world!(
        "relkit:sdk/runbook",
        "package relkit:sdk; world runbook { export relkit:plugin/runbook@0.1.0; }",
        "__relkit_export_runbook"
    );
}

/// `version-files` bindings.
#[doc(hidden)]
#[allow(unsafe_code, unused_qualifications)]
pub mod version_files_world {
    capability_world!(
        "relkit:sdk/version-files",
        "package relkit:sdk; world version-files { export relkit:plugin/version-files@0.1.0; }",
        "__relkit_export_version_files"
    );
}

/// `release-metrics` bindings.
#[doc(hidden)]
#[allow(unsafe_code, unused_qualifications)]
pub mod release_metrics_world {
    capability_world!(
        "relkit:sdk/release-metrics",
        "package relkit:sdk; world release-metrics { export relkit:plugin/release-metrics@0.1.0; }",
        "__relkit_export_release_metrics"
    );
}

/// The `info` metadata a plugin reports, for [`export_plugin!`](crate::export_plugin).
#[doc(hidden)]
pub fn metadata(
    package: &str,
    name: Option<&str>,
    version: &str,
) -> info_world::exports::relkit::plugin::info::Metadata {
    info_world::exports::relkit::plugin::info::Metadata {
        name: name.unwrap_or_else(|| crate::plugin_name(package)).to_string(),
        version: version.to_string(),
        contract: crate::CONTRACT.to_string(),
    }
}

/// Exports a plugin type as a WebAssembly component's `info` and the named
/// capability interfaces. See the crate documentation for a whole plugin.
///
/// ```text
/// relkit_plugin_sdk::export_plugin!(Plugin: version_bump);
/// relkit_plugin_sdk::export_plugin!(Plugin: rollback, runbook);
/// relkit_plugin_sdk::export_plugin!(Plugin: release_notes; name = "misbehave", version = "9.9.9");
/// ```
///
/// - `Plugin` is a type of the calling module (an identifier, not a path)
///   that implements the trait of each capability named after the colon:
///   `version_bump` ([`version_bump::VersionBump`](crate::version_bump::VersionBump)),
///   `release_notes`, `changelog`, `rollback`, `runbook`, `version_files`,
///   `release_metrics` (the module of that name holds the trait and records).
/// - `info` is implemented by the macro: `name` defaults to the calling
///   crate's package name without `relkit-plugin-` ([`plugin_name`](crate::plugin_name)),
///   `version` to the calling crate's `CARGO_PKG_VERSION`, the contract is
///   [`CONTRACT`](crate::CONTRACT).
/// - The raw ABI exports are emitted only when compiling for `wasm32`, inside
///   an item that allows `unsafe_code`, so a crate that denies it still
///   compiles; on the host target the trait impls are plain Rust to test.
/// - A capability not in that list is a compile error naming the list.
#[macro_export]
macro_rules! export_plugin {
    ($ty:ident : $($capability:ident),+ $(; $(name = $name:expr)? $(, version = $version:expr)? $(,)?)?) => {
        impl $crate::export::info_world::exports::relkit::plugin::info::Guest for $ty {
            fn plugin_info() -> $crate::export::info_world::exports::relkit::plugin::info::Metadata {
                $crate::export::metadata(
                    ::core::env!("CARGO_PKG_NAME"),
                    $crate::__relkit_or!([$($(::core::option::Option::Some($name))?)?] ::core::option::Option::None),
                    $crate::__relkit_or!([$($($version)?)?] ::core::env!("CARGO_PKG_VERSION")),
                )
            }
        }

        $( $crate::__relkit_check_capability!($ty, $capability); )+

        #[cfg(target_arch = "wasm32")]
        #[allow(unsafe_code)] // the raw ABI functions of the component's exports
        const _: () = {
            $crate::export::info_world::__relkit_export_info!($ty with_types_in $crate::export::info_world);
            $( $crate::__relkit_export_capability!($ty, $capability); )+
        };
    };
}

/// The given expression, else the default.
#[doc(hidden)]
#[macro_export]
macro_rules! __relkit_or {
    ([] $default:expr) => {
        $default
    };
    ([$given:expr] $default:expr) => {
        $given
    };
}

/// Asserts that the plugin type implements a capability's trait, on every
/// target, so a missing impl or an unknown name fails where it is written.
#[doc(hidden)]
#[macro_export]
macro_rules! __relkit_check_capability {
    ($ty:ident, version_bump) => { $crate::__relkit_check_capability!(@ $ty, $crate::version_bump::VersionBump); };
    ($ty:ident, release_notes) => { $crate::__relkit_check_capability!(@ $ty, $crate::release_notes::ReleaseNotes); };
    ($ty:ident, changelog) => { $crate::__relkit_check_capability!(@ $ty, $crate::changelog::Changelog); };
    ($ty:ident, rollback) => { $crate::__relkit_check_capability!(@ $ty, $crate::rollback::Rollback); };
    ($ty:ident, runbook) => { $crate::__relkit_check_capability!(@ $ty, $crate::runbook::Runbook); };
    ($ty:ident, version_files) => { $crate::__relkit_check_capability!(@ $ty, $crate::version_files::VersionFiles); };
    ($ty:ident, release_metrics) => {
        $crate::__relkit_check_capability!(@ $ty, $crate::release_metrics::ReleaseMetrics);
    };
    (@ $ty:ident, $($trait:tt)+) => {
        const _: fn() = || {
            fn implements<T: $($trait)+>() {}
            implements::<$ty>();
        };
    };
    ($ty:ident, $other:ident) => {
        ::core::compile_error!(::core::concat!(
            "export_plugin!: unknown capability `",
            ::core::stringify!($other),
            "`; expected version_bump, release_notes, changelog, rollback, runbook, version_files or release_metrics"
        ));
    };
}

/// Exports one capability of [`export_plugin!`](crate::export_plugin) through its bindings.
#[doc(hidden)]
#[macro_export]
macro_rules! __relkit_export_capability {
    ($ty:ident, version_bump) => {
        $crate::export::version_bump_world::__relkit_export_version_bump!($ty with_types_in $crate::export::version_bump_world);
    };
    ($ty:ident, release_notes) => {
        $crate::export::release_notes_world::__relkit_export_release_notes!($ty with_types_in $crate::export::release_notes_world);
    };
    ($ty:ident, changelog) => {
        $crate::export::changelog_world::__relkit_export_changelog!($ty with_types_in $crate::export::changelog_world);
    };
    ($ty:ident, rollback) => {
        $crate::export::rollback_world::__relkit_export_rollback!($ty with_types_in $crate::export::rollback_world);
    };
    ($ty:ident, runbook) => {
        $crate::export::runbook_world::__relkit_export_runbook!($ty with_types_in $crate::export::runbook_world);
    };
    ($ty:ident, version_files) => {
        $crate::export::version_files_world::__relkit_export_version_files!($ty with_types_in $crate::export::version_files_world);
    };
    ($ty:ident, release_metrics) => {
        $crate::export::release_metrics_world::__relkit_export_release_metrics!($ty with_types_in $crate::export::release_metrics_world);
    };
    // An unknown name is reported by `__relkit_check_capability!`.
    ($ty:ident, $other:ident) => {};
}
