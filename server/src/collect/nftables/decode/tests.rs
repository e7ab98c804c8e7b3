//! Decoders on messages laid out as the kernel sends them.

use super::*;
use crate::collect::nftables::ruleset::Family;

// enum nft_data_attributes
const NFTA_DATA_VALUE: u16 = 1;

/// Appends one attribute, padded to 4 bytes.
fn attr(buf: &mut Vec<u8>, kind: u16, value: &[u8]) {
    let len = u16::try_from(4 + value.len()).unwrap();
    buf.extend_from_slice(&len.to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(value);
    buf.resize(buf.len().next_multiple_of(4), 0);
}

fn nested(buf: &mut Vec<u8>, kind: u16, fill: impl FnOnce(&mut Vec<u8>)) {
    let mut inner = Vec::new();
    fill(&mut inner);
    attr(buf, kind | netlink_packet_core::NLA_F_NESTED, &inner);
}

fn message(family: u8, attrs: &[u8]) -> Vec<u8> {
    let mut m = vec![family, 0, 0, 42];
    m.extend_from_slice(attrs);
    m
}

#[test]
fn a_base_chain_keeps_its_signed_priority_and_devices() {
    let mut a = Vec::new();
    attr(&mut a, NFTA_CHAIN_TABLE, b"filter\0");
    attr(&mut a, NFTA_CHAIN_HANDLE, &7u64.to_be_bytes());
    attr(&mut a, NFTA_CHAIN_NAME, b"ingress\0");
    nested(&mut a, NFTA_CHAIN_HOOK, |h| {
        attr(h, NFTA_HOOK_HOOKNUM, &0u32.to_be_bytes());
        attr(h, NFTA_HOOK_PRIORITY, &(-300i32).to_be_bytes());
        nested(h, NFTA_HOOK_DEVS, |d| {
            attr(d, NFTA_DEVICE_NAME, b"eth0\0");
            attr(d, NFTA_DEVICE_NAME, b"eth1\0");
        });
    });
    attr(&mut a, NFTA_CHAIN_POLICY, &1u32.to_be_bytes());
    attr(&mut a, NFTA_CHAIN_TYPE, b"filter\0");
    nested(&mut a, NFTA_CHAIN_COUNTERS, |c| {
        attr(c, NFTA_COUNTER_BYTES, &1500u64.to_be_bytes());
        attr(c, NFTA_COUNTER_PACKETS, &3u64.to_be_bytes());
    });
    attr(&mut a, 99, b"unknown attributes are skipped");
    let bytes = message(5, &a);
    let msg = Message::parse(NFT_MSG_GETCHAIN, &bytes).unwrap();
    assert_eq!((msg.family, msg.res_id), (Family::Netdev, 42));
    let c = chain(&msg).unwrap();
    assert_eq!(
        (c.table.as_str(), c.name.as_str(), c.handle),
        ("filter", "ingress", 7)
    );
    let hook = c.hook.unwrap();
    assert_eq!((hook.num, hook.priority), (Some(0), Some(-300)));
    assert_eq!(hook.devices, ["eth0", "eth1"]);
    assert_eq!(c.policy, Some(1));
    assert_eq!(c.counter.unwrap().packets, 3);
}

#[test]
fn set_elements_keep_keys_ranges_and_data() {
    let mut a = Vec::new();
    attr(&mut a, NFTA_SET_ELEM_LIST_TABLE, b"t\0");
    attr(&mut a, NFTA_SET_ELEM_LIST_SET, b"__set0\0");
    nested(&mut a, NFTA_SET_ELEM_LIST_ELEMENTS, |l| {
        nested(l, NFTA_LIST_ELEM, |e| {
            nested(e, NFTA_SET_ELEM_KEY, |k| {
                attr(k, NFTA_DATA_VALUE, &[10, 0, 0, 1])
            });
            nested(e, NFTA_SET_ELEM_KEY_END, |k| {
                attr(k, NFTA_DATA_VALUE, &[10, 0, 0, 9])
            });
            attr(e, NFTA_SET_ELEM_TIMEOUT, &30_000u64.to_be_bytes());
        });
        nested(l, NFTA_LIST_ELEM, |e| {
            attr(e, NFTA_SET_ELEM_FLAGS, &1u32.to_be_bytes());
        });
    });
    let bytes = message(2, &a);
    let msg = Message::parse(NFT_MSG_GETSETELEM, &bytes).unwrap();
    let (table, set, elems) = elements(&msg).unwrap();
    assert_eq!(
        (table.as_str(), set.as_str(), elems.len()),
        ("t", "__set0", 2)
    );
    assert_eq!(elems[0].key, [10, 0, 0, 1]);
    assert_eq!(elems[0].key_end.as_deref(), Some(&[10, 0, 0, 9][..]));
    assert_eq!(elems[0].timeout_ms, Some(30_000));
    assert_eq!(elems[1].flags, 1);
}

#[test]
fn a_short_number_is_an_error_not_a_panic() {
    let mut a = Vec::new();
    attr(&mut a, NFTA_TABLE_HANDLE, &[1, 2, 3]);
    let bytes = message(1, &a);
    let msg = Message::parse(NFT_MSG_GETTABLE, &bytes).unwrap();
    assert!(table(&msg).is_err());
    assert!(Message::parse(NFT_MSG_GETTABLE, &[1, 0]).is_err());
}

proptest::proptest! {
    #[test]
    fn no_message_panics(kind in 0u8..32, bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
        if let Ok(msg) = Message::parse(kind, &bytes) {
            let _ = table(&msg);
            let _ = chain(&msg);
            let _ = rule(&msg);
            let _ = set(&msg);
            let _ = elements(&msg);
            let _ = object(&msg);
            let _ = flowtable(&msg);
            let _ = generation(&msg);
        }
    }
}

/// This kernel cannot load a flowtable: the message is laid out as
/// `nf_tables_fill_flowtable_info` writes it, and printed as nft's
/// `flowtable_print_declaration` does.
#[test]
fn a_flowtable_prints_with_its_netdev_hook_devices_and_flags() {
    use crate::collect::nftables::render;
    use crate::collect::nftables::ruleset::{Table, TableContents};

    let mut a = Vec::new();
    attr(&mut a, NFTA_FLOWTABLE_TABLE, b"filter\0");
    attr(&mut a, NFTA_FLOWTABLE_NAME, b"fast\0");
    nested(&mut a, NFTA_FLOWTABLE_HOOK, |h| {
        attr(h, NFTA_FLOWTABLE_HOOK_NUM, &0u32.to_be_bytes());
        attr(h, NFTA_FLOWTABLE_HOOK_PRIORITY, &10i32.to_be_bytes());
        nested(h, NFTA_FLOWTABLE_HOOK_DEVS, |d| {
            attr(d, NFTA_DEVICE_NAME, b"wan\0");
            attr(d, NFTA_DEVICE_NAME, b"lan\0");
        });
    });
    attr(&mut a, NFTA_FLOWTABLE_USE, &1u32.to_be_bytes());
    attr(&mut a, NFTA_FLOWTABLE_HANDLE, &3u64.to_be_bytes());
    attr(&mut a, NFTA_FLOWTABLE_FLAGS, &3u32.to_be_bytes());
    let bytes = message(1, &a);
    let msg = Message::parse(NFT_MSG_GETFLOWTABLE, &bytes).unwrap();
    let f = flowtable(&msg).unwrap();
    assert_eq!((f.name.as_str(), f.handle, f.flags), ("fast", 3, 3));
    assert_eq!(f.hook.devices, ["wan", "lan"]);

    let table = TableContents {
        table: Table {
            family: Family::Inet,
            name: "filter".into(),
            ..Table::default()
        },
        flowtables: vec![f],
        ..TableContents::default()
    };
    assert_eq!(
        render::table(&table, false),
        "table inet filter {\n\
         \tflowtable fast {\n\
         \t\thook ingress priority filter + 10\n\
         \t\tdevices = { wan, lan }\n\
         \t\tcounter\n\
         \t\tflags offload\n\
         \t}\n\
         }\n"
    );
}
