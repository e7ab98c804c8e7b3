//! `flow_offload`: moves an established connection to a flowtable's
//! fast path.

use super::attr::{attributes, string};

// enum nft_offload_attributes
const NFTA_FLOW_TABLE_NAME: u16 = 1;

attributes! {
    /// `flow_offload` (`flow add @ft`).
    pub enum FlowOffload {
        /// The flowtable's name.
        NFTA_FLOW_TABLE_NAME => TableName(String) = string,
    }
}
