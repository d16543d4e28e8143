//! A plugin's settings: the keys of its table in `relkit.toml`, values as JSON.

use serde::de::DeserializeOwned;

/// Read access to the `settings` list a plugin receives.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    pairs: &'a [(String, String)],
}

impl<'a> Settings<'a> {
    pub fn new(pairs: &'a [(String, String)]) -> Self {
        Self { pairs }
    }

    /// The raw JSON text of `key`, if present.
    pub fn raw(&self, key: &str) -> Option<&'a str> {
        self.pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The value of `key` decoded from JSON; `Ok(None)` when absent or `null`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, String> {
        match self.raw(key) {
            None => Ok(None),
            Some(text) => serde_json::from_str::<Option<T>>(text)
                .map_err(|e| format!("setting `{key}` has an invalid value {text}: {e}")),
        }
    }

    /// The value of `key`, or `default` when absent.
    pub fn get_or<T: DeserializeOwned>(&self, key: &str, default: T) -> Result<T, String> {
        Ok(self.get(key)?.unwrap_or(default))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn reads_json_values_and_defaults() {
        let p = pairs(&[("preset", "\"semantic-release\""), ("split-squash", "true")]);
        let s = Settings::new(&p);
        assert_eq!(s.get::<String>("preset").unwrap().as_deref(), Some("semantic-release"));
        assert!(s.get_or("split-squash", false).unwrap());
        assert_eq!(s.get_or("missing", 7u32).unwrap(), 7);
    }

    #[test]
    fn a_bad_value_names_the_key() {
        let p = pairs(&[("fuel", "\"lots\"")]);
        let err = Settings::new(&p).get::<u64>("fuel").unwrap_err();
        assert!(err.starts_with("setting `fuel` has an invalid value \"lots\""), "{err}");
    }
}
