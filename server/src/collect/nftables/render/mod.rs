//! The ruleset as `nft list ruleset` prints it.
