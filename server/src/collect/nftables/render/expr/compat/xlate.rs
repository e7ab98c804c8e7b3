//! libxtables' translation buffer (`struct xt_xlate`, iptables 1.8.9).
//! An extension adds its translation in pieces; libxtables puts a space
//! before a piece that starts with a letter, a digit or a bracket when
//! the text so far does not end in white space, and cuts the trailing
//! white space when nft takes the text. Translations built here from
//! the same pieces space as nft prints them, double spaces included.

#[derive(Debug, Default)]
pub struct Xlate(String);

impl Xlate {
    pub fn add(&mut self, piece: &str) {
        let spaced = piece.starts_with(|c: char| {
            c.is_ascii_alphanumeric() || "()[]{}".contains(c)
        });
        if spaced && self.0.ends_with(|c: char| !c.is_ascii_whitespace()) {
            self.0.push(' ');
        }
        self.0.push_str(piece);
    }

    pub fn text(self) -> String {
        self.0
            .trim_end_matches(|c: char| c.is_ascii_whitespace())
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::Xlate;

    fn joined(pieces: &[&str]) -> String {
        let mut x = Xlate::default();
        for p in pieces {
            x.add(p);
        }
        x.text()
    }

    #[test]
    fn words_and_brackets_are_spaced_and_punctuation_is_not() {
        assert_eq!(
            joined(&["tcp", " dport ", "{ ", "1", ", 2", "}"]),
            "tcp dport { 1, 2 }"
        );
        assert_eq!(
            joined(&["ct state ", "!", "invalid", ",new"]),
            "ct state ! invalid,new"
        );
        assert_eq!(
            joined(&["dnat", " to 1.2.3.4", " random", ",persistent"]),
            "dnat to 1.2.3.4 random,persistent"
        );
    }

    /// A piece's own trailing space stays inside the text, and goes at
    /// its end.
    #[test]
    fn trailing_space_is_cut_only_at_the_end() {
        assert_eq!(
            joined(&["ct mark set ( ", "0x1 ", " ) >> 2"]),
            "ct mark set ( 0x1  ) >> 2"
        );
        assert_eq!(joined(&["ct mark set ", "0x1 "]), "ct mark set 0x1");
        assert_eq!(joined(&[]), "");
    }
}
