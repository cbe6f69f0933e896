//! Reason texts of conditions, read from the conditions file a detection run recorded.

use std::collections::BTreeMap;

/// `name → reason` for every `[[condition]]` of a conditions text; empty if it does not parse
/// (the reasons are a courtesy to the reader, not a rule).
pub(crate) fn reasons(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(value) = text.parse::<toml::Table>() else {
        return out;
    };
    if let Some(list) = value.get("condition").and_then(|c| c.as_array()) {
        for c in list {
            if let (Some(n), Some(r)) = (
                c.get("name").and_then(|v| v.as_str()),
                c.get("reason").and_then(|v| v.as_str()),
            ) {
                out.insert(n.to_owned(), r.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_names_and_reasons() {
        let r =
            super::reasons("[[condition]]\nname = \"a\"\nreason = \"because\"\nall = [\"x\"]\n");
        assert_eq!(r["a"], "because");
        assert!(super::reasons("not toml [").is_empty());
    }
}
