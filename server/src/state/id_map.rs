//! A map from a 64-bit slot key to a value, laid out for a quarter million entries:
//! values sit densely in one `Vec` and a small index maps ids to slots.
//! A `HashMap<u64, Record>` would keep up to twice its length in empty
//! record-sized buckets; here the spare room is 8-byte index buckets.

use std::collections::HashMap;

pub struct IdMap<V> {
    index: HashMap<u64, u32>,
    slots: Vec<Option<(u64, V)>>,
    /// Empty slots to reuse before growing.
    free: Vec<u32>,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        Self {
            index: HashMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<V> IdMap<V> {
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn get(&self, id: &u64) -> Option<&V> {
        let slot = *self.index.get(id)?;
        self.slots[slot as usize].as_ref().map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, id: &u64) -> Option<&mut V> {
        let slot = *self.index.get(id)?;
        self.slots[slot as usize].as_mut().map(|(_, v)| v)
    }

    /// Inserts or replaces; returns the value replaced.
    pub fn insert(&mut self, id: u64, value: V) -> Option<V> {
        if let Some(old) = self.get_mut(&id) {
            return Some(std::mem::replace(old, value));
        }
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some((id, value));
                slot
            }
            None => {
                self.slots.push(Some((id, value)));
                (self.slots.len() - 1) as u32
            }
        };
        self.index.insert(id, slot);
        None
    }

    pub fn remove(&mut self, id: &u64) -> Option<V> {
        let slot = self.index.remove(id)?;
        let value = self.slots[slot as usize].take().map(|(_, v)| v);
        self.free.push(slot);
        value
    }

    pub fn iter(&self) -> impl Iterator<Item = (u64, &V)> {
        self.slots.iter().flatten().map(|(id, v)| (*id, v))
    }
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
        // The freed slot is reused.
        assert_eq!(m.insert(11, "d"), None);
        assert_eq!(m.slots.len(), 2);
        let mut all: Vec<_> = m.iter().collect();
        all.sort();
        assert_eq!(all, [(9, &"b"), (11, &"d")]);
        assert_eq!(m.get(&11), Some(&"d"));
        assert!(m.get(&7).is_none());
    }
}
