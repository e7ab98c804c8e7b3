//! Rules built from the expressions iptables-nft writes, against the
//! lines `iptables-nft-save` prints for them.
