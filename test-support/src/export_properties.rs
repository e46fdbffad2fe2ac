//! Properties of the export readers (`irsa::exports`), checked by the
//! `kubernetes_export` fuzz target and replayed by
//! `tests/tests/fuzz_regressions.rs`. Each check panics when its property
//! breaks and returns what it saw.

use irsa::exports::kubernetes::read_kubernetes_located;
use serde_json::Value;

/// The Kubernetes reader never panics; what it reads is objects at real
/// positions, and reading each object back from its JSON gives it again.
/// Returns how many objects were read (`None` when the input was refused).
pub fn check_kubernetes_export(data: &[u8]) -> Option<usize> {
    let objects = match read_kubernetes_located(data) {
        Ok(objects) => objects,
        Err(error) => {
            assert!(!error.message.is_empty(), "an error without a message");
            return None;
        }
    };
    for located in &objects {
        let object = &located.object;
        assert!(
            object.value.is_object(),
            "not an object: {:?}",
            object.value
        );
        assert!(object.position.line >= 1, "unlocated: {object:?}");
        // An object that is itself a List would read back as its items.
        if is_list(&object.value) {
            continue;
        }
        let json = serde_json::to_vec(&object.value).expect("a value serializes");
        let again = read_kubernetes_located(&json).expect("its own JSON reads back");
        let values: Vec<&Value> = again.iter().map(|l| &l.object.value).collect();
        assert_eq!(
            values,
            [&object.value],
            "the JSON of an object reads back differently"
        );
    }
    Some(objects.len())
}

fn is_list(value: &Value) -> bool {
    value["kind"].as_str().is_some_and(|k| k.ends_with("List")) && value["items"].is_array()
}
