//! INVALID packets: the ones conntrack could not tie to a flow, which
//! nothing in the kernel reports one by one.

pub mod packet;
