//! Pieces that several pages show. They take wire data or signals and
//! fetch nothing.

mod stream_note;

pub use stream_note::StreamNote;
