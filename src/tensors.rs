//! safetensors files, read tensor by tensor from a `Source`: a file on disk,
//! bytes in memory, or (in the page) a `File` read slice by slice. The header
//! is parsed and checked by the `safetensors` crate (offsets contiguous, sizes
//! consistent, no overflow); the data is read here, one tensor at a time,
//! straight into its f32 buffer, so a model never exists twice in memory
//! (the crate's own reader needs the whole file in one buffer).
//! F32, F16 and BF16 tensors are read; half precision is widened to f32, or
//! kept as it is for a `Weight` that asks for it (`Tensors::weight`).

use std::collections::{BTreeMap, HashMap};

use half::{bf16, f16};
use ndarray::{Array1, Array2, ArrayViewD, IxDyn};
use safetensors::tensor::{Metadata, TensorInfo};
use safetensors::Dtype;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::weight::{Half, TensorRef, Weight};

/// Largest header the format allows (the crate's limit too).
const MAX_HEADER: u64 = 100_000_000;

/// Bytes of a safetensors file, read at any offset.
pub trait Source {
    /// The file's size in bytes.
    fn len(&self) -> u64;
    /// Fills `buf` with the bytes at `offset` (from the start of the file).
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<()>;
}

/// A whole file already in memory.
pub struct SliceSource<'a>(pub &'a [u8]);

impl Source for SliceSource<'_> {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<()> {
        let start = usize::try_from(offset).map_err(|_| Error::Format("offset beyond the file".into()))?;
        let bytes = start.checked_add(buf.len()).and_then(|end| self.0.get(start..end));
        buf.copy_from_slice(bytes.ok_or_else(|| Error::Format("read beyond the file".into()))?);
        Ok(())
    }
}

/// A file on disk, read where each tensor lies.
#[cfg(not(target_arch = "wasm32"))]
pub struct FileSource {
    file: std::fs::File,
    len: u64,
    path: std::path::PathBuf,
}

#[cfg(not(target_arch = "wasm32"))]
impl FileSource {
    pub fn open(path: &std::path::Path) -> Result<Self> {
        let cannot = |e: std::io::Error| Error::Io(format!("cannot read {}: {e}", path.display()));
        let file = std::fs::File::open(path).map_err(cannot)?;
        let meta = file.metadata().map_err(cannot)?;
        if !meta.is_file() {
            return Err(Error::Io(format!("cannot read {}: not a regular file", path.display())));
        }
        Ok(Self { file, len: meta.len(), path: path.to_path_buf() })
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let cannot = |e: std::io::Error| Error::Io(format!("cannot read {}: {e}", self.path.display()));
        self.file.seek(SeekFrom::Start(offset)).map_err(cannot)?;
        self.file.read_exact(buf).map_err(cannot)
    }
}

/// One tensor's place in the file.
#[derive(Debug, Clone)]
struct Entry {
    dtype: Dtype,
    shape: Vec<usize>,
    start: u64, // from the start of the file
}

/// The tensors of one file by name (a `transformer.` prefix stripped),
/// decoded on demand from the source.
pub struct Tensors<'s> {
    entries: HashMap<String, Entry>,
    metadata: HashMap<String, String>,
    source: std::cell::RefCell<&'s mut dyn Source>,
}

impl<'s> Tensors<'s> {
    /// Reads and checks the header: a truncated file, a header that is not
    /// safetensors, or data that does not match the file's size is an error
    /// here, before any tensor is read.
    pub fn open(source: &'s mut dyn Source, strip_prefix: &str) -> Result<Self> {
        let have = source.len();
        if have < 8 {
            return Err(Error::Format("the file is shorter than the 8-byte header length".into()));
        }
        let mut len = [0u8; 8];
        source.read_at(0, &mut len)?;
        let n = u64::from_le_bytes(len);
        if n > MAX_HEADER {
            return Err(Error::Format(format!("header length {n} is larger than the format's {MAX_HEADER}")));
        }
        if 8 + n > have {
            return Err(Error::Truncated { need: 8 + n, have });
        }
        let mut header = vec![0u8; n as usize];
        source.read_at(8, &mut header)?;
        let meta: Metadata = serde_json::from_slice(&header).map_err(|e| Error::Format(format!("header: {e}")))?;
        let need = 8 + n + meta.data_len() as u64;
        if need > have {
            return Err(Error::Truncated { need, have });
        }
        if need < have {
            return Err(Error::Format(format!("{} bytes after the last tensor's data", have - need)));
        }
        let entries = meta
            .tensors()
            .into_iter()
            .map(|(name, info): (String, &TensorInfo)| {
                let name = name.strip_prefix(strip_prefix).map(str::to_string).unwrap_or(name);
                let entry = Entry { dtype: info.dtype, shape: info.shape.clone(), start: 8 + n + info.data_offsets.0 as u64 };
                (name, entry)
            })
            .collect();
        let metadata = meta.metadata().clone().unwrap_or_default();
        Ok(Self { entries, metadata, source: std::cell::RefCell::new(source) })
    }

    /// The file's `__metadata__` (all strings).
    pub fn metadata(&self) -> &HashMap<String, String> {
        &self.metadata
    }

    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    pub fn shape(&self, name: &str) -> Result<&[usize]> {
        self.entries.get(name).map(|e| e.shape.as_slice()).ok_or_else(|| Error::MissingTensor(name.to_string()))
    }

    /// Elements of every tensor whose name `keep` accepts: what the model will hold.
    pub fn elements(&self, keep: impl Fn(&str) -> bool) -> u128 {
        self.entries.iter().filter(|(name, _)| keep(name)).map(|(_, e)| e.shape.iter().map(|&d| d as u128).product::<u128>()).sum()
    }

    /// How many of `pattern` (with `{}` for 0, 1, 2 ...) exist consecutively.
    pub fn count(&self, pattern: &str) -> usize {
        (0..).take_while(|i| self.contains(&pattern.replace("{}", &i.to_string()))).count()
    }

    /// The half-precision format of `name`, if it is stored in one.
    pub fn half(&self, name: &str) -> Option<Half> {
        match self.entries.get(name)?.dtype {
            Dtype::F16 => Some(Half::F16),
            Dtype::BF16 => Some(Half::Bf16),
            _ => None,
        }
    }

    /// Decodes `name` as f32 with exactly `shape` (F32, or F16 / BF16
    /// widened), rejecting NaN and Inf.
    fn read(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let entry = self.entries.get(name).ok_or_else(|| Error::MissingTensor(name.to_string()))?;
        if entry.shape != shape {
            return Err(Error::Shape { name: name.to_string(), expected: shape.to_vec(), found: entry.shape.clone() });
        }
        let count: usize = shape.iter().product(); // the header's check bounds it by the file
        let mut source = self.source.borrow_mut();
        let data = match entry.dtype {
            Dtype::F32 => {
                let mut data = vec![0f32; count];
                source.read_at(entry.start, bytemuck::cast_slice_mut(&mut data))?;
                data.iter_mut().for_each(|v| *v = f32::from_bits(u32::from_le(v.to_bits())));
                data
            }
            Dtype::F16 | Dtype::BF16 => {
                let mut half = vec![0u16; count];
                source.read_at(entry.start, bytemuck::cast_slice_mut(&mut half))?;
                let widen: fn(u16) -> f32 = match entry.dtype {
                    Dtype::F16 => |b| f16::from_bits(b).to_f32(),
                    _ => |b| bf16::from_bits(b).to_f32(),
                };
                half.iter().map(|&b| widen(u16::from_le(b))).collect()
            }
            other => return Err(Error::Dtype { name: name.to_string(), found: other.to_string() }),
        };
        if let Some(index) = data.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite { name: name.to_string(), index, value: data[index] });
        }
        Ok(data)
    }

    /// A weight matrix [rows, cols] as stored: F16 and BF16 kept at 2 bytes a
    /// value (read straight into place), F32 as f32. Non-finite values are
    /// an error as for `matrix`.
    pub fn weight(&self, name: &str, rows: usize, cols: usize) -> Result<Weight> {
        let Some(half) = self.half(name) else { return self.matrix(name, rows, cols).map(Weight::F32) };
        let entry = &self.entries[name];
        if entry.shape != [rows, cols] {
            return Err(Error::Shape { name: name.to_string(), expected: vec![rows, cols], found: entry.shape.clone() });
        }
        let mut bits = vec![0u16; rows * cols]; // the header's check bounds it by the file
        self.source.borrow_mut().read_at(entry.start, bytemuck::cast_slice_mut(&mut bits))?;
        bits.iter_mut().for_each(|b| *b = u16::from_le(*b));
        if let Some(index) = bits.iter().position(|&b| !half.is_finite(b)) {
            return Err(Error::NonFinite { name: name.to_string(), index, value: half.widen(bits[index]) });
        }
        Ok(Weight::Half(half, Array2::from_shape_vec((rows, cols), bits).expect("length checked against shape")))
    }

    pub fn matrix(&self, name: &str, rows: usize, cols: usize) -> Result<Array2<f32>> {
        let data = self.read(name, &[rows, cols])?;
        Ok(Array2::from_shape_vec((rows, cols), data).expect("length checked against shape"))
    }

    pub fn vector(&self, name: &str, len: usize) -> Result<Array1<f32>> {
        Ok(Array1::from_vec(self.read(name, &[len])?))
    }
}

/// A parameter ready to be written: its name, shape and row-major data.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

impl NamedTensor {
    pub fn new(name: impl Into<String>, shape: &[usize], data: impl IntoIterator<Item = f32>) -> Self {
        Self { name: name.into(), shape: shape.to_vec(), data: data.into_iter().collect() }
    }
}

/// Writes f32 tensors and metadata as safetensors. Written here rather than
/// with `safetensors::serialize` because that keeps metadata in a HashMap,
/// whose order (and so the file's bytes) changes from run to run; shipped
/// models must be reproducible bit for bit. Layout: u64 LE header length,
/// JSON header (space-padded to 8 bytes), then the data in header order.
pub fn write_safetensors(tensors: &[NamedTensor], metadata: &BTreeMap<String, String>) -> Vec<u8> {
    let views: Vec<(String, TensorRef<'_>)> = tensors
        .iter()
        .map(|t| (t.name.clone(), TensorRef::F32(ArrayViewD::from_shape(IxDyn(&t.shape), &t.data).expect("a NamedTensor's data fills its shape"))))
        .collect();
    let mut out = Vec::with_capacity(tensors.iter().map(|t| 4 * t.data.len()).sum::<usize>() + 4096);
    write_safetensors_to(&mut out, &views, metadata, None).expect("writing into a Vec cannot fail");
    out
}

/// `write_safetensors` streamed into `out` straight from the parameters'
/// views (`Model::tensors()`), so saving a model does not copy it: the same
/// bytes, with at most one small buffer more in memory. Each tensor is
/// written in the dtype it is stored in (F32, or the F16 / BF16 a Hub file
/// kept), or, with `cast`, every tensor in that half precision (rounded to
/// nearest, ties to even, as PyTorch's `.to(torch.bfloat16)`).
pub fn write_safetensors_to(
    out: &mut dyn std::io::Write,
    tensors: &[(String, TensorRef<'_>)],
    metadata: &BTreeMap<String, String>,
    cast: Option<Half>,
) -> std::io::Result<()> {
    let dtype = |t: &TensorRef| match (cast, t) {
        (Some(h), _) | (None, &TensorRef::Half(h, _)) => (h.name(), 2),
        (None, TensorRef::F32(_)) => ("F32", 4),
    };
    let mut header = Map::new();
    header.insert("__metadata__".into(), serde_json::to_value(metadata).expect("strings serialize"));
    let mut offset = 0usize;
    for (name, data) in tensors {
        let (name_of_dtype, size) = dtype(data);
        let end = offset + size * data.len();
        header.insert(name.clone(), serde_json::json!({ "dtype": name_of_dtype, "shape": data.shape(), "data_offsets": [offset, end] }));
        offset = end;
    }
    let mut json = serde_json::to_vec(&Value::Object(header)).expect("a JSON map serializes");
    json.resize(json.len().div_ceil(8) * 8, b' ');
    out.write_all(&(json.len() as u64).to_le_bytes())?;
    out.write_all(&json)?;
    // Little-endian bytes in row-major order, through one 64 kB buffer.
    let mut buf = Vec::with_capacity(1 << 16);
    let mut put = |bytes: &[u8]| -> std::io::Result<()> {
        buf.extend_from_slice(bytes);
        if buf.len() >= 1 << 16 {
            out.write_all(&buf)?;
            buf.clear();
        }
        Ok(())
    };
    for (_, data) in tensors {
        match (cast, data) {
            (None, TensorRef::F32(a)) => a.iter().try_for_each(|v| put(&v.to_le_bytes()))?,
            (Some(h), TensorRef::F32(a)) => a.iter().try_for_each(|&v| put(&h.narrow(v).to_le_bytes()))?,
            (None, TensorRef::Half(_, a)) => a.iter().try_for_each(|b| put(&b.to_le_bytes()))?,
            (Some(h), TensorRef::Half(from, a)) => a.iter().try_for_each(|&b| put(&h.narrow(from.widen(b)).to_le_bytes()))?,
        }
    }
    out.write_all(&buf)
}
