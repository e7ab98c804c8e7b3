//! Tables and the blocks in them, in nft's order: flags, named
//! objects, sets and maps, flowtables, chains, one blank line between
//! blocks.

use super::chain::{chain_header, hook_name, priority};
use super::userdata::{self, COMMENT};
use super::{object, set};
use crate::collect::nftables::ruleset::{
    ChainContents, Family, Flowtable, TableContents,
};

// NFT_TABLE_F_*
const NFT_TABLE_F_DORMANT: u32 = 0x1;
const NFT_TABLE_F_OWNER: u32 = 0x2;
const NFT_TABLE_F_PERSIST: u32 = 0x4;

/// A block: its opening (`chain input`), the lines inside, the handle.
struct Block {
    head: String,
    lines: Vec<String>,
    handle: u64,
}

/// ` # handle N` when handles are asked for.
fn handle(handles: bool, n: u64) -> String {
    if handles {
        format!(" # handle {n}")
    } else {
        String::new()
    }
}

/// One table as `nft list table` prints it.
pub fn table(t: &TableContents, handles: bool) -> String {
    let tb = &t.table;
    let mut out = format!(
        "table {} {} {{{}\n",
        tb.family.name(),
        tb.name,
        handle(handles, tb.handle)
    );
    let mut head = Vec::new();
    let flags: Vec<&str> = [
        (NFT_TABLE_F_DORMANT, "dormant"),
        (NFT_TABLE_F_OWNER, "owner"),
        (NFT_TABLE_F_PERSIST, "persist"),
    ]
    .into_iter()
    .filter(|(bit, _)| tb.flags & bit != 0)
    .map(|(_, name)| name)
    .collect();
    if let Some(c) = userdata::comment(tb.userdata.as_deref(), COMMENT) {
        head.push(format!("comment \"{c}\""));
    }
    if !flags.is_empty() {
        head.push(format!("flags {}", flags.join(",")));
    }
    let mut blocks = Vec::new();
    for o in &t.objects {
        let (keyword, lines) = object::object(o);
        blocks.push(Block {
            head: format!("{keyword} {}", o.name),
            lines,
            handle: o.handle,
        });
    }
    for s in t.sets.iter().filter(|s| !set::is_anonymous(s)) {
        let (keyword, lines) = set::set(s);
        blocks.push(Block {
            head: format!("{keyword} {}", s.name),
            lines,
            handle: s.handle,
        });
    }
    for f in &t.flowtables {
        blocks.push(flowtable(f));
    }
    for c in &t.chains {
        blocks.push(chain(c, handles));
    }
    for line in &head {
        out += &format!("\t{line}\n");
    }
    // A blank line follows the flags, not a lone comment.
    let mut first = flags.is_empty();
    for b in blocks {
        if !first {
            out.push('\n');
        }
        first = false;
        out += &format!("\t{} {{{}\n", b.head, handle(handles, b.handle));
        for line in b.lines {
            out += &format!("\t\t{line}\n");
        }
        out += "\t}\n";
    }
    out += "}\n";
    out
}

fn chain(c: &ChainContents, handles: bool) -> Block {
    let mut lines = Vec::new();
    lines.extend(chain_header(&c.chain));
    if let Some(comment) =
        userdata::comment(c.chain.userdata.as_deref(), COMMENT)
    {
        lines.push(format!("comment \"{comment}\""));
    }
    for r in &c.rules {
        lines.push(format!("{}{}", r.text.nft, handle(handles, r.handle)));
    }
    Block {
        head: format!("chain {}", c.chain.name),
        lines,
        handle: c.chain.handle,
    }
}

/// `NFT_FLOWTABLE_COUNTER` and `NFT_FLOWTABLE_HW_OFFLOAD`, in the order
/// nft prints their lines.
const FLOWTABLE_FLAGS: [(u32, &str); 2] =
    [(2, "counter"), (1, "flags offload")];

fn flowtable(f: &Flowtable) -> Block {
    // A flowtable always hooks a device's ingress, whatever its table's
    // family: its numbers are netdev's.
    let hook = hook_name(Family::Netdev, f.hook.num);
    let mut first = format!("hook {hook}");
    if let Some(p) = f.hook.priority {
        first += &format!(" priority {}", priority(Family::Netdev, &hook, p));
    }
    let mut lines = vec![first];
    // Always a list, in the kernel's order: unlike a chain's devices.
    if !f.hook.devices.is_empty() {
        lines.push(format!("devices = {{ {} }}", f.hook.devices.join(", ")));
    }
    lines.extend(
        FLOWTABLE_FLAGS
            .iter()
            .filter(|(bit, _)| f.flags & bit != 0)
            .map(|(_, line)| (*line).to_owned()),
    );
    Block {
        head: format!("flowtable {}", f.name),
        lines,
        handle: f.handle,
    }
}
