//! Pieces that several pages show. They take wire data or signals and
//! fetch nothing.

mod flow;
mod stream_note;

pub use flow::{FlowDetails, FlowSections};
pub use stream_note::StreamNote;
