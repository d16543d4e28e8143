//! The `[metrics]` table of `relkit.toml`.
//!
//! | key              | value                                                       | default |
//! |------------------|-------------------------------------------------------------|---------|
//! | `failure-window` | whole hours (`48`) or a string `"48h"`, `"2d"`, `"90m"`     | 48 hours |
//!
//! Other keys are ignored here (the host reports unknown configuration keys).

use relkit_plugin_sdk::Settings;

use crate::time::{DAY, HOUR, MINUTE};

/// The settings key of the hotfix rule's window.
pub const FAILURE_WINDOW: &str = "failure-window";

/// The default failure window: 48 hours, in seconds.
pub const DEFAULT_FAILURE_WINDOW: i64 = 48 * HOUR;

/// The plugin's settings, read and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How long after a release, in seconds, a patch release of the same
    /// package can still be its hotfix (both ends inclusive). Positive.
    pub failure_window: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config { failure_window: DEFAULT_FAILURE_WINDOW }
    }
}

impl Config {
    /// Reads the `[metrics]` table.
    ///
    /// Errors: a `failure-window` that is not a positive whole number of
    /// hours nor a string of a positive whole number followed by `m`
    /// (minutes), `h` (hours) or `d` (days) gives
    /// ``[metrics] failure-window: expected a positive whole number of hours (48) or a string such as "48h", "2d" or "90m", got <value>``.
    pub fn from_settings(settings: &Settings) -> Result<Config, String> {
        let Some(raw) = settings.raw(FAILURE_WINDOW) else { return Ok(Config::default()) };
        let value: serde_json::Value = serde_json::from_str(raw).map_err(|_| window_error(raw))?;
        let seconds = match &value {
            serde_json::Value::Null => Some(DEFAULT_FAILURE_WINDOW),
            serde_json::Value::Number(n) => n.as_i64().and_then(|h| h.checked_mul(HOUR)),
            serde_json::Value::String(s) => parse_duration(s),
            _ => None,
        };
        match seconds {
            Some(s) if s > 0 => Ok(Config { failure_window: s }),
            _ => Err(window_error(raw)),
        }
    }
}

/// `"48h"`, `"2d"`, `"90m"` in seconds; `None` for anything else (no sign,
/// no fraction, no space inside, one unit).
fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    let unit = match text.chars().last()? {
        'm' => MINUTE,
        'h' => HOUR,
        'd' => DAY,
        _ => return None,
    };
    let digits = &text[..text.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok()?.checked_mul(unit)
}

fn window_error(raw: &str) -> String {
    format!(
        "[metrics] {FAILURE_WINDOW}: expected a positive whole number of hours (48) or a string such as \"48h\", \"2d\" or \"90m\", got {raw}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: Option<&str>) -> Result<i64, String> {
        let pairs: Vec<(String, String)> =
            value.map(|v| vec![(FAILURE_WINDOW.to_string(), v.to_string())]).unwrap_or_default();
        Config::from_settings(&Settings::new(&pairs)).map(|c| c.failure_window)
    }

    #[test]
    fn accepts_hours_and_suffixed_strings() {
        assert_eq!(read(None), Ok(48 * HOUR));
        assert_eq!(read(Some("null")), Ok(48 * HOUR));
        assert_eq!(read(Some("24")), Ok(24 * HOUR));
        assert_eq!(read(Some("\"48h\"")), Ok(48 * HOUR));
        assert_eq!(read(Some("\"2d\"")), Ok(2 * DAY));
        assert_eq!(read(Some("\"90m\"")), Ok(90 * MINUTE));
        assert_eq!(read(Some("\" 3h \"")), Ok(3 * HOUR));
    }

    #[test]
    fn rejects_other_values_naming_the_key_and_the_forms() {
        for bad in ["0", "-4", "1.5", "\"\"", "\"h\"", "\"48\"", "\"4 h\"", "\"2w\"", "\"-2d\"", "true", "[48]"] {
            let err = read(Some(bad)).unwrap_err();
            assert_eq!(
                err,
                format!(
                    "[metrics] failure-window: expected a positive whole number of hours (48) or a string such as \"48h\", \"2d\" or \"90m\", got {bad}"
                )
            );
        }
        assert!(read(Some("\"99999999999999999d\"")).is_err(), "overflow is an error, not a wrap");
    }
}
