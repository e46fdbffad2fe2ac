//! Hostile YAML, the same for the import tests (each refused with a located
//! I005) and the bench's hostile-input row (each refused quickly, in bounded
//! memory).

/// One hostile input, the line its refusal points at, and words of its
/// message (the limit it crosses).
#[derive(Debug, Clone)]
pub struct Hostile {
    pub name: &'static str,
    pub text: String,
    pub line: u64,
    pub message: &'static str,
}

/// An alias bomb ("billion laughs"), 10,000-deep flow and block nesting, a
/// file over 64 MiB, and 1 MiB of text replayed 30,000 times through an
/// anchor made of aliases.
pub fn hostile_yaml() -> Vec<Hostile> {
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let aliases = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{aliases}]\n"));
    }
    let mut deep_block = String::new();
    for depth in 0..10_000 {
        deep_block.push_str(&" ".repeat(depth));
        deep_block.push_str("a:\n");
    }
    let line = "# padding padding padding padding padding padding padding padding\n";
    let huge = format!(
        "kind: ServiceAccount\n{}",
        line.repeat(64 * 1024 * 1024 / line.len() + 1)
    );
    let big = "x".repeat(1024 * 1024);
    let replayed = format!(
        "a: &a \"{big}\"\nb: &b [*a]\nc: [{}]\n",
        vec!["*b"; 30_000].join(",")
    );
    vec![
        Hostile {
            name: "alias bomb",
            text: bomb,
            line: 6,
            message: "more than 100000 nodes",
        },
        Hostile {
            name: "10,000-deep flow nesting",
            text: format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
            line: 1,
            message: "deeper than 128 levels",
        },
        Hostile {
            name: "10,000-deep block nesting",
            text: deep_block,
            line: 129,
            message: "deeper than 128 levels",
        },
        Hostile {
            name: "over 64 MiB",
            text: huge,
            line: 1,
            message: "over the limit of 67108864 bytes",
        },
        Hostile {
            name: "1 MiB replayed 30,000 times",
            text: replayed,
            line: 3,
            message: "more than 64 MiB of text",
        },
    ]
}
