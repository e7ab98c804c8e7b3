//! What one request may ask of the server. Matching a flow costs about one
//! comparison per filter value, for every flow of the table, each time a
//! page or window is computed; a filter of thousands of addresses made one
//! window of a 50k-flow table take seconds. A REST page is built whole in
//! memory before it is sent.

/// Longest filter text, in characters.
pub const MAX_FILTER_CHARS: usize = 4096;
/// Most values in a filter: each term counts one per value of its comma
/// list (`dport:80,443` is two).
pub const MAX_FILTER_VALUES: usize = 128;
/// Most flows one `GET /api/flows` answers; more are read page by page
/// with `offset`.
pub const MAX_PAGE_LIMIT: usize = app::wire::MAX_PAGE_ROWS;

/// Checks a filter's size before it is parsed, naming the limit it
/// exceeds.
pub fn check_filter(text: &str) -> Result<(), String> {
    let values: usize = text
        .split_whitespace()
        .map(|term| term.split(',').filter(|v| !v.is_empty()).count().max(1))
        .sum();
    if values > MAX_FILTER_VALUES {
        return Err(format!(
            "filter has {values} values, more than the {MAX_FILTER_VALUES} \
             allowed (each term counts one per value of its comma list)"
        ));
    }
    let chars = text.chars().count();
    if chars > MAX_FILTER_CHARS {
        return Err(format!(
            "filter is {chars} characters long, longer than the \
             {MAX_FILTER_CHARS} allowed"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_count_across_terms_and_lists() {
        let list = |n: usize| {
            let ports: Vec<String> = (0..n).map(|p| p.to_string()).collect();
            format!("proto:tcp dport:{}", ports.join(","))
        };
        assert_eq!(check_filter(&list(MAX_FILTER_VALUES - 1)), Ok(()));
        let err = check_filter(&list(MAX_FILTER_VALUES)).unwrap_err();
        assert!(err.contains("129 values"), "{err}");
        assert!(err.contains("128 allowed"), "{err}");
    }

    #[test]
    fn long_text_is_refused_by_its_length() {
        assert_eq!(check_filter(""), Ok(()));
        let long = format!("key:{}", "1".repeat(MAX_FILTER_CHARS));
        let err = check_filter(&long).unwrap_err();
        assert!(err.contains("4100 characters"), "{err}");
    }

    #[test]
    fn the_probe_filter_is_refused() {
        let hosts: Vec<String> = (0..6000)
            .map(|i| format!("10.{}.{}.1", i / 256, i % 256))
            .collect();
        let text = format!("host:{}", hosts.join(","));
        assert!(check_filter(&text).is_err());
    }
}
