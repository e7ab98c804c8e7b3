//! README's Flow example is what the API sends: it parses as a wire
//! `Flow`, and that flow serializes back to the same JSON, so a field
//! renamed, added or left out on one side fails here.

use app::wire::Flow;

const README: &str = include_str!("../../README.md");

fn flow_example() -> &'static str {
    let after = README
        .split_once("A **Flow**:")
        .expect("README has a Flow example")
        .1;
    let block = after.split_once("```json\n").expect("a json block").1;
    block.split_once("```").expect("the block ends").0
}

#[test]
fn readme_flow_example_is_the_wire_format() {
    let text = flow_example();
    let flow: Flow = serde_json::from_str(text).expect("README's Flow parses");
    let written: serde_json::Value = serde_json::to_value(&flow).unwrap();
    let documented: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(written, documented);
}
