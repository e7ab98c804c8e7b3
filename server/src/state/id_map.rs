//! A map from a 64-bit slot key to a value, laid out for a quarter million
//! entries and for readers that must not hold up its writer.
//!
//! Values sit densely in small chunks and a small index maps ids to
//! places: a `HashMap<u64, Record>` would keep up to twice its length in
//! empty record-sized buckets; here the spare room is 8-byte index
//! buckets. Chunks are shared with [`Snapshot`]s and copied on write: a
//! reader scans a snapshot without any lock, and the writer copies only
//! the chunks it changes while a snapshot still holds them.

use std::sync::Arc;

use super::slot::SlotMap;

/// Entries per chunk: small enough that a write copies little (a few KB),
/// large enough that a snapshot of 250k entries is a few thousand
/// pointers.
const CHUNK: usize = 32;

type Chunk<V> = Arc<[Option<(u64, V)>; CHUNK]>;

pub struct IdMap<V> {
    index: SlotMap<u32>,
    chunks: Vec<Chunk<V>>,
    /// Empty places to reuse before growing.
    free: Vec<u32>,
}

/// The values of an [`IdMap`] as they were when it was taken.
pub struct Snapshot<V> {
    chunks: Vec<Chunk<V>>,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        Self {
            index: SlotMap::default(),
            chunks: Vec::new(),
            free: Vec::new(),
        }
    }
}

fn split(place: u32) -> (usize, usize) {
    (place as usize / CHUNK, place as usize % CHUNK)
}

impl<V: Clone> IdMap<V> {
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    fn entry(&self, place: u32) -> &Option<(u64, V)> {
        let (c, i) = split(place);
        &self.chunks[c][i]
    }

    /// Copies the chunk first if a snapshot still holds it.
    fn entry_mut(&mut self, place: u32) -> &mut Option<(u64, V)> {
        let (c, i) = split(place);
        &mut Arc::make_mut(&mut self.chunks[c])[i]
    }

    pub fn get(&self, id: &u64) -> Option<&V> {
        let place = *self.index.get(id)?;
        self.entry(place).as_ref().map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, id: &u64) -> Option<&mut V> {
        let place = *self.index.get(id)?;
        self.entry_mut(place).as_mut().map(|(_, v)| v)
    }

    /// Inserts or replaces; returns the value replaced.
    pub fn insert(&mut self, id: u64, value: V) -> Option<V> {
        if let Some(old) = self.get_mut(&id) {
            return Some(std::mem::replace(old, value));
        }
        let place = match self.free.pop() {
            Some(place) => place,
            None => {
                let place = (self.chunks.len() * CHUNK) as u32;
                self.chunks.push(Arc::new(std::array::from_fn(|_| None)));
                self.free.extend((place + 1..place + CHUNK as u32).rev());
                place
            }
        };
        *self.entry_mut(place) = Some((id, value));
        self.index.insert(id, place);
        None
    }

    pub fn remove(&mut self, id: &u64) -> Option<V> {
        let place = self.index.remove(id)?;
        let value = self.entry_mut(place).take().map(|(_, v)| v);
        self.free.push(place);
        value
    }

    pub fn iter(&self) -> impl Iterator<Item = (u64, &V)> {
        iter(&self.chunks)
    }

    /// The values as they are now, for a reader on another thread: a
    /// pointer per chunk, whatever the size of the values.
    #[cfg(test)]
    pub fn shares_every_chunk_with(&self, snapshot: &Snapshot<V>) -> bool {
        self.chunks.len() == snapshot.chunks.len()
            && self
                .chunks
                .iter()
                .zip(&snapshot.chunks)
                .all(|(a, b)| Arc::ptr_eq(a, b))
    }

    pub fn snapshot(&self) -> Snapshot<V> {
        Snapshot {
            chunks: self.chunks.clone(),
        }
    }
}

impl<V> Snapshot<V> {
    pub fn iter(&self) -> impl Iterator<Item = (u64, &V)> {
        iter(&self.chunks)
    }
}

fn iter<V>(chunks: &[Chunk<V>]) -> impl Iterator<Item = (u64, &V)> {
    chunks
        .iter()
        .flat_map(|c| c.iter())
        .flatten()
        .map(|(id, v)| (*id, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_map() {
        let mut m = IdMap::default();
        assert_eq!(m.insert(7, "a"), None);
        assert_eq!(m.insert(9, "b"), None);
        assert_eq!(m.insert(7, "c"), Some("a"));
        assert_eq!(m.len(), 2);
        assert_eq!(m.remove(&7), Some("c"));
        assert_eq!(m.remove(&7), None);
        // The freed place is reused.
        assert_eq!(m.insert(11, "d"), None);
        assert_eq!(m.chunks.len(), 1);
        let mut all: Vec<_> = m.iter().collect();
        all.sort();
        assert_eq!(all, [(9, &"b"), (11, &"d")]);
        assert_eq!(m.get(&11), Some(&"d"));
        assert!(m.get(&7).is_none());
    }

    #[test]
    fn a_snapshot_keeps_what_it_saw() {
        let mut m = IdMap::default();
        for id in 0..100u64 {
            m.insert(id, id);
        }
        let before = m.snapshot();
        *m.get_mut(&5).unwrap() = 500;
        m.remove(&6);
        m.insert(1000, 1000);
        let seen: u64 = before.iter().map(|(_, v)| v).sum();
        assert_eq!(seen, (0..100).sum::<u64>());
        assert_eq!(before.iter().count(), 100);
        let now: u64 = m.snapshot().iter().map(|(_, v)| v).sum();
        assert_eq!(now, (0..100).sum::<u64>() + 495 - 6 + 1000);
        // Only the chunks written to were copied.
        let shared = (0..m.chunks.len())
            .filter(|&c| Arc::ptr_eq(&m.chunks[c], &before.chunks[c]))
            .count();
        assert_eq!(shared, before.chunks.len() - 1);
    }
}
