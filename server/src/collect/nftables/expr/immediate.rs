//! `immediate`: loads a constant or a verdict into a register.

use super::attr::{attributes, be32};
use super::data::{decode_data, Data, Register};

// enum nft_immediate_attributes
const NFTA_IMMEDIATE_DREG: u16 = 1;
const NFTA_IMMEDIATE_DATA: u16 = 2;

attributes! {
    /// `immediate`: a verdict when the register is `NFT_REG_VERDICT`.
    /// Own type: the netfilter crate's reads its data nest unchecked
    /// and knows only nf_tables' own verdicts, not accept or drop.
    pub enum Immediate {
        NFTA_IMMEDIATE_DREG => DestinationRegister(Register) = be32,
        NFTA_IMMEDIATE_DATA => Data(Data) = decode_data,
    }
}

/// The register an `immediate` loads and what it loads into it.
pub fn immediate_parts(
    attrs: &[Immediate],
) -> (Option<Register>, Option<&Data>) {
    let (mut dreg, mut data) = (None, None);
    for a in attrs {
        match a {
            Immediate::DestinationRegister(r) => dreg = Some(*r),
            Immediate::Data(d) => data = Some(d),
            _ => {}
        }
    }
    (dreg, data)
}
