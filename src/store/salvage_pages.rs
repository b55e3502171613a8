//! Reads table rows straight out of an SQLite file's pages, for a history so
//! damaged that SQL can no longer reach them (a file cut short loses the
//! pages near its end, and those are often the ones that lead to all others).
//!
//! Pure: bytes in, rows out. It follows the documented file format: every
//! table leaf page (type 13) that is not on the free list is read, cell by
//! cell, with overflow chains followed while they stay inside the file.

/// One value of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum PageValue {
    /// SQL NULL.
    Null,
    /// An integer.
    Integer(i64),
    /// A float.
    Real(f64),
    /// Text (lossy UTF-8).
    Text(String),
    /// A blob.
    Blob(Vec<u8>),
}

/// What the scan found.
#[derive(Debug, Default)]
pub struct PageScan {
    /// (rowid, values) of every table row on a readable leaf page.
    pub rows: Vec<(i64, Vec<PageValue>)>,
    /// Cells that could not be read (cut off, or a broken overflow chain).
    pub unreadable_cells: u64,
    /// The header promises more pages than the file holds.
    pub cut_short: bool,
}

/// Reads a varint at `at`; returns the value and its length.
fn varint(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for index in 0..9 {
        let byte = *bytes.get(at + index)?;
        if index == 8 {
            return Some(((value << 8) | u64::from(byte), 9));
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((value, index + 1));
        }
    }
    None
}

fn be(bytes: &[u8], at: usize, len: usize) -> Option<u64> {
    let slice = bytes.get(at..at.checked_add(len)?)?;
    Some(
        slice
            .iter()
            .fold(0, |acc, byte| (acc << 8) | u64::from(*byte)),
    )
}

/// Scans `file` (a whole SQLite database file) for table rows.
pub fn scan(file: &[u8]) -> PageScan {
    let mut scan = PageScan::default();
    if file.len() < 100 || !file.starts_with(b"SQLite format 3\0") {
        return scan;
    }
    let page_size = match be(file, 16, 2) {
        Some(1) => 65_536,
        Some(size) if size >= 512 && size.is_power_of_two() => size as usize,
        _ => return scan,
    };
    let reserved = file.get(20).copied().map_or(0, usize::from);
    let usable = page_size.saturating_sub(reserved);
    if usable < 480 {
        return scan;
    }
    let pages_in_file = file.len() / page_size;
    let promised = be(file, 28, 4).unwrap_or(0) as usize;
    scan.cut_short = promised > pages_in_file || !file.len().is_multiple_of(page_size);
    let free = free_pages(file, page_size, pages_in_file);
    let geometry = Geometry {
        file,
        page_size,
        usable,
        pages_in_file,
    };
    // Page 1 is the schema; table data starts at page 2.
    for page in 2..=pages_in_file {
        if free.contains(&page) {
            continue;
        }
        geometry.read_leaf(page, &mut scan);
    }
    scan
}

/// Pages on the free list (their old content must not come back).
fn free_pages(
    file: &[u8],
    page_size: usize,
    pages_in_file: usize,
) -> std::collections::HashSet<usize> {
    let mut free = std::collections::HashSet::new();
    let mut trunk = be(file, 32, 4).unwrap_or(0) as usize;
    while trunk >= 1 && trunk <= pages_in_file && free.insert(trunk) {
        let start = (trunk - 1) * page_size;
        let next = be(file, start, 4).unwrap_or(0) as usize;
        let count = be(file, start + 4, 4).unwrap_or(0) as usize;
        for index in 0..count.min(page_size / 4) {
            if let Some(leaf) = be(file, start + 8 + index * 4, 4) {
                free.insert(leaf as usize);
            }
        }
        trunk = next;
    }
    free
}

struct Geometry<'a> {
    file: &'a [u8],
    page_size: usize,
    usable: usize,
    pages_in_file: usize,
}

impl Geometry<'_> {
    fn page(&self, number: usize) -> Option<&[u8]> {
        if number == 0 || number > self.pages_in_file {
            return None;
        }
        let start = (number - 1) * self.page_size;
        self.file.get(start..start + self.usable)
    }

    fn read_leaf(&self, number: usize, scan: &mut PageScan) {
        let Some(page) = self.page(number) else {
            return;
        };
        if page.first() != Some(&13) {
            return;
        }
        let cells = be(page, 3, 2).unwrap_or(0) as usize;
        if 8 + cells * 2 > page.len() {
            return;
        }
        for cell in 0..cells {
            let Some(offset) = be(page, 8 + cell * 2, 2).map(|o| o as usize) else {
                continue;
            };
            match self.read_cell(page, offset) {
                Some(row) => scan.rows.push(row),
                None => scan.unreadable_cells += 1,
            }
        }
    }

    fn read_cell(&self, page: &[u8], offset: usize) -> Option<(i64, Vec<PageValue>)> {
        let (size, size_len) = varint(page, offset)?;
        let (rowid, rowid_len) = varint(page, offset + size_len)?;
        let size = usize::try_from(size).ok()?;
        let start = offset + size_len + rowid_len;
        let max_local = self.usable - 35;
        let payload = if size <= max_local {
            page.get(start..start.checked_add(size)?)?.to_vec()
        } else {
            let min_local = (self.usable - 12) * 32 / 255 - 23;
            let spill = min_local + (size - min_local) % (self.usable - 4);
            let local = if spill <= max_local { spill } else { min_local };
            let end = start.checked_add(local)?;
            let mut payload = page.get(start..end)?.to_vec();
            let mut next = be(page, end, 4)? as usize;
            let mut hops = 0;
            while payload.len() < size {
                hops += 1;
                let overflow = self.page(next).filter(|_| hops <= self.pages_in_file)?;
                let take = (size - payload.len()).min(self.usable - 4);
                payload.extend_from_slice(overflow.get(4..4 + take)?);
                next = be(overflow, 0, 4)? as usize;
            }
            payload
        };
        Some((rowid as i64, record(&payload)?))
    }
}

/// Decodes a record (header of serial types, then the values).
fn record(payload: &[u8]) -> Option<Vec<PageValue>> {
    let (header_len, mut at) = varint(payload, 0)?;
    let header_len = usize::try_from(header_len).ok()?;
    let mut body = header_len;
    let mut values = Vec::new();
    while at < header_len {
        let (serial, len) = varint(payload, at)?;
        at += len;
        let (value, used) = match serial {
            0 => (PageValue::Null, 0),
            1..=6 => {
                let width = [1, 2, 3, 4, 6, 8][serial as usize - 1];
                let raw = be(payload, body, width)?;
                let shift = 64 - 8 * width as u32;
                (PageValue::Integer(((raw << shift) as i64) >> shift), width)
            }
            7 => (PageValue::Real(f64::from_bits(be(payload, body, 8)?)), 8),
            8 => (PageValue::Integer(0), 0),
            9 => (PageValue::Integer(1), 0),
            10 | 11 => return None,
            n => {
                let len = usize::try_from((n - 12) / 2).ok()?;
                let bytes = payload.get(body..body.checked_add(len)?)?;
                if n % 2 == 0 {
                    (PageValue::Blob(bytes.to_vec()), len)
                } else {
                    (
                        PageValue::Text(String::from_utf8_lossy(bytes).into_owned()),
                        len,
                    )
                }
            }
        };
        body += used;
        values.push(value);
    }
    (body <= payload.len()).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_records_decode_as_the_format_says() {
        assert_eq!(varint(&[0x7f], 0), Some((127, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Some((128, 2)));
        // Header: 4 bytes; serial types: NULL, 1-byte int, text of 2 bytes.
        let record_bytes = [4, 0, 1, 17, 0xfe, b'h', b'i'];
        assert_eq!(
            record(&record_bytes),
            Some(vec![
                PageValue::Null,
                PageValue::Integer(-2),
                PageValue::Text("hi".into())
            ])
        );
        assert_eq!(record(&[4, 0, 1, 17, 0xfe, b'h']), None, "cut short");
    }

    #[test]
    fn a_real_database_is_read_back_row_for_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite3");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER);")
            .unwrap();
        let long = "x".repeat(9000); // spills onto overflow pages
        for id in 1..=300_i64 {
            let name = if id == 7 {
                long.clone()
            } else {
                format!("row {id}")
            };
            conn.execute(
                "INSERT INTO t VALUES (?1, ?2, ?3)",
                rusqlite::params![id, name, -id * 1000],
            )
            .unwrap();
        }
        conn.execute("DELETE FROM t WHERE id = 5", []).unwrap();
        drop(conn);
        let scan = scan(&std::fs::read(&path).unwrap());
        assert!(!scan.cut_short);
        assert_eq!(scan.rows.len(), 299);
        let seven = scan.rows.iter().find(|(id, _)| *id == 7).unwrap();
        assert_eq!(seven.1[1], PageValue::Text(long));
        let last = scan.rows.iter().find(|(id, _)| *id == 300).unwrap();
        assert_eq!(
            last.1,
            [
                PageValue::Null,
                PageValue::Text("row 300".into()),
                PageValue::Integer(-300_000)
            ]
        );
        assert!(!scan.rows.iter().any(|(id, _)| *id == 5));
    }
}
