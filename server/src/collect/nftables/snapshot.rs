//! One consistent picture of the ruleset: the generation, every kind of
//! object, then the generation again. A commit in between (a changed
//! generation, or `NLM_F_DUMP_INTR` on a dump) means starting over.

use std::collections::HashMap;

use super::attr::*;
use super::decode::{self, Message};
use super::ipset::IpsetNames;
use super::legacy;
use super::render;
use super::ruleset::{
    Chain, ChainContents, Family, Generation, Rule, Ruleset, Set, TableContents,
};
use super::socket::{push_string, NftError, NftSocket};

/// Commits that may interrupt one snapshot before it gives up: a ruleset
/// that changes this often has no consistent picture to show.
const ATTEMPTS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Nft(#[from] NftError),
    #[error("the ruleset changed during {ATTEMPTS} snapshots in a row")]
    Busy,
}

/// Reads the whole ruleset.
pub fn read(socket: &mut NftSocket) -> Result<Ruleset, SnapshotError> {
    for _ in 0..ATTEMPTS {
        let before = generation(socket)?.id;
        match read_objects(socket) {
            Ok(mut ruleset) => {
                if generation(socket)?.id == before {
                    ruleset.generation = before;
                    ruleset.legacy = legacy::tables();
                    ruleset.ipsets = IpsetNames::of(&ruleset.tables);
                    return Ok(ruleset);
                }
            }
            Err(NftError::Interrupted) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(SnapshotError::Busy)
}

/// The current generation.
pub fn generation(socket: &mut NftSocket) -> Result<Generation, NftError> {
    let mut found = None;
    socket.request("the generation", NFT_MSG_GETGEN, 0, false, &[], |m| {
        found = Some(decode::generation(m).map_err(malformed("NEWGEN"))?);
        Ok(())
    })?;
    found.ok_or(NftError::Malformed {
        what: "the generation",
        reason: "no NEWGEN in the answer".into(),
    })
}

/// Every object of every family, grouped by table.
fn read_objects(socket: &mut NftSocket) -> Result<Ruleset, NftError> {
    let mut tables = Tables::default();
    dump(socket, "tables", NFT_MSG_GETTABLE, |m| {
        let table = decode::table(m).map_err(malformed("a table"))?;
        tables.add(TableContents {
            table,
            ..TableContents::default()
        });
        Ok(())
    })?;
    dump(socket, "chains", NFT_MSG_GETCHAIN, |m| {
        tables.add_chain(decode::chain(m).map_err(malformed("a chain"))?);
        Ok(())
    })?;
    let mut sets: Vec<Set> = Vec::new();
    dump(socket, "sets", NFT_MSG_GETSET, |m| {
        sets.push(decode::set(m).map_err(malformed("a set"))?);
        Ok(())
    })?;
    for set in &mut sets {
        read_elements(socket, set)?;
    }
    for set in sets {
        if let Some(t) = tables.get(set.family, &set.table) {
            t.sets.push(set);
        }
    }
    dump(socket, "objects", NFT_MSG_GETOBJ, |m| {
        let object = decode::object(m).map_err(malformed("an object"))?;
        if let Some(t) = tables.get(object.family, &object.table) {
            t.objects.push(object);
        }
        Ok(())
    })?;
    dump(socket, "flowtables", NFT_MSG_GETFLOWTABLE, |m| {
        let flowtable =
            decode::flowtable(m).map_err(malformed("a flowtable"))?;
        if let Some(t) = tables.get(flowtable.family, &flowtable.table) {
            t.flowtables.push(flowtable);
        }
        Ok(())
    })?;
    // Most of a big ruleset: decoded and rendered while the kernel writes
    // the rest, in the order nft lists it.
    let mut libxtables = render::Libxtables::default();
    socket.dump_split("rules", NFT_MSG_GETRULE, &[], |m| {
        let rule = decode::rule(m).map_err(malformed("a rule"))?;
        tables.add_rule(rule, &mut libxtables);
        Ok(())
    })?;
    Ok(Ruleset {
        tables: tables.list,
        ..Ruleset::default()
    })
}

/// One dump of each set's elements, anonymous sets included: the kernel
/// dumps elements only by set.
fn read_elements(
    socket: &mut NftSocket,
    set: &mut Set,
) -> Result<(), NftError> {
    let mut attrs = Vec::new();
    push_string(&mut attrs, NFTA_SET_ELEM_LIST_TABLE, &set.table);
    push_string(&mut attrs, NFTA_SET_ELEM_LIST_SET, &set.name);
    let family = set.family.raw();
    let elements = &mut set.elements;
    socket.request(
        "set elements",
        NFT_MSG_GETSETELEM,
        family,
        true,
        &attrs,
        |m| {
            let (_, _, found) =
                decode::elements(m).map_err(malformed("set elements"))?;
            elements.extend(found);
            Ok(())
        },
    )
}

/// A dump of one kind of object over every family.
fn dump(
    socket: &mut NftSocket,
    what: &'static str,
    kind: u8,
    each: impl FnMut(&Message) -> Result<(), NftError>,
) -> Result<(), NftError> {
    socket.request(what, kind, 0, true, &[], each)
}

fn malformed(
    what: &'static str,
) -> impl FnOnce(netlink_packet_core::DecodeError) -> NftError {
    move |e| NftError::Malformed {
        what,
        reason: e.to_string(),
    }
}

/// Tables in the kernel's order, found by family and name, and their
/// chains by name.
#[derive(Default)]
struct Tables {
    list: Vec<TableContents>,
    index: HashMap<Family, HashMap<String, TablePlace>>,
}

/// Where a table is in the list, and where each of its chains is.
type TablePlace = (usize, HashMap<String, usize>);

impl Tables {
    fn add(&mut self, t: TableContents) {
        let names = self.index.entry(t.table.family).or_default();
        names.insert(t.table.name.clone(), (self.list.len(), HashMap::new()));
        self.list.push(t);
    }

    /// An object of a table the dump of tables did not list cannot be:
    /// the generation did not change. It is left out if it happens.
    fn get(
        &mut self,
        family: Family,
        name: &str,
    ) -> Option<&mut TableContents> {
        let (i, _) = self.index.get(&family)?.get(name)?;
        self.list.get_mut(*i)
    }

    fn add_chain(&mut self, chain: Chain) {
        let Some((i, chains)) = self
            .index
            .get_mut(&chain.family)
            .and_then(|names| names.get_mut(&chain.table))
        else {
            return;
        };
        let t = &mut self.list[*i];
        chains.insert(chain.name.clone(), t.chains.len());
        t.chains.push(ChainContents {
            chain,
            rules: Vec::new(),
        });
    }

    /// Adds `rule` with its texts (see [`super::ruleset::RuleText`]),
    /// rendered once.
    fn add_rule(
        &mut self,
        mut rule: Rule,
        libxtables: &mut render::Libxtables,
    ) {
        let Some((i, chains)) = self
            .index
            .get(&rule.family)
            .and_then(|names| names.get(&rule.table))
        else {
            return;
        };
        if let Some(&c) = chains.get(&rule.chain) {
            let t = &mut self.list[*i];
            libxtables.printing(t.table.family, &rule);
            rule.text = render::rule_texts(rule.family, t, *libxtables, &rule);
            t.chains[c].rules.push(rule);
        }
    }
}
