//! (placeholder until the import branch's reader lands: the contract's types)

use super::{ExportError, Position};

#[derive(Debug, Clone, PartialEq)]
pub struct KubeObject {
    pub document: usize,
    pub path: String,
    pub position: Position,
    pub value: serde_json::Value,
}

pub fn read_kubernetes(bytes: &[u8]) -> Result<Vec<KubeObject>, ExportError> {
    let text = super::text(bytes)?;
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(text)
        .map_err(|e| ExportError::new(e.to_string(), Position::default()))?;
    let mut out = Vec::new();
    for (document, value) in docs.into_iter().enumerate() {
        if let Some(items) = value.get("items").and_then(|i| i.as_array()) {
            for (i, item) in items.iter().enumerate() {
                out.push(KubeObject {
                    document,
                    path: format!("items[{i}]"),
                    position: Position::default(),
                    value: item.clone(),
                });
            }
        } else if !value.is_null() {
            out.push(KubeObject {
                document,
                path: String::new(),
                position: Position::default(),
                value,
            });
        }
    }
    Ok(out)
}
