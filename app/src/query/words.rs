//! How the filter reads the words of a vocabulary: case and `_` do not
//! matter, and a word it does not know gets the nearest one it does.

use std::fmt;

/// The kernel's `TIME_WAIT` and `SEEN_REPLY` style and our `time-wait`
/// and `seen-reply` are the same words.
pub(super) fn fold(text: &str) -> String {
    text.to_ascii_lowercase().replace('_', "-")
}

/// The reason for `text`, which is no `what` in `words`: the nearest word
/// when `text` looks like a typo of it, else what was `expected`.
pub(super) fn unknown<'a>(
    what: &str,
    text: &str,
    words: impl IntoIterator<Item = &'a str>,
    expected: impl fmt::Display,
) -> String {
    match nearest(&fold(text), words) {
        Some(word) => {
            format!("unknown {what} {text:?}; did you mean {word:?}?")
        }
        None => format!("unknown {what} {text:?}; expected {expected}"),
    }
}

/// `words` as "one of a, b, c", for [`unknown`]'s `expected`.
pub(super) fn one_of<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let words: Vec<_> = words.into_iter().collect();
    format!("one of {}", words.join(", "))
}

/// The first of the closest `words`, if it is at most a third of `text`'s
/// length away (at least one edit): further than that, a suggestion is
/// more likely a guess than the word the user meant.
fn nearest<'a>(
    text: &str,
    words: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let most = (text.chars().count() / 3).max(1);
    words
        .into_iter()
        .map(|word| (distance(text, word), word))
        .filter(|&(d, _)| d <= most)
        .min_by_key(|&(d, _)| d)
        .map(|(_, word)| word)
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to
/// `b`: the optimal string alignment distance.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) =
        (a.chars().collect(), b.chars().collect());
    // Rows i-2 and i-1 of the edit table; a swap looks two rows back.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut last: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let change = usize::from(a[i - 1] != b[j - 1]);
            row[j] =
                (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + change);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut last, row);
    }
    last[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("", "tcp"), 3);
        assert_eq!(distance("tcp", ""), 3);
        assert_eq!(distance("tcp", "tcp"), 0);
        assert_eq!(distance("tpc", "tcp"), 1, "a swap is one edit");
        assert_eq!(distance("establishd", "established"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("ca", "abc"), 3);
        assert_eq!(distance("é", "e"), 1, "characters, not bytes");
    }

    #[test]
    fn suggests_only_near_words() {
        let words = ["dnat", "snat", "sport-rewrite", "none", "any"];
        assert_eq!(nearest("dant", words), Some("dnat"));
        assert_eq!(nearest("xnat", words), Some("dnat"), "first of ties");
        assert_eq!(nearest("masq", words), None);
        assert_eq!(nearest("sport-rewrit", words), Some("sport-rewrite"));
        assert_eq!(nearest("", words), None);
    }

    #[test]
    fn reasons() {
        let words = ["established", "time-wait"];
        assert_eq!(
            unknown("state", "Time_Wiat", words, one_of(words)),
            "unknown state \"Time_Wiat\"; did you mean \"time-wait\"?"
        );
        assert_eq!(
            unknown("state", "up", words, one_of(words)),
            "unknown state \"up\"; expected one of established, time-wait"
        );
    }
}
