//! A weight matrix kept as its file stores it: f32, or half precision (F16,
//! BF16) at 2 bytes a value, widened to f32 where it is used, a block of rows
//! at a time into a small scratch before the same matrix products (ops::matmul).
//! The Llama family keeps its matrices this way, so Qwen2.5-0.5B's BF16 file
//! (988 MB) needs about 1 GB of memory instead of 2 GB (README: "Full-size
//! models"). Widening is exact (every f16 and bf16 value is an f32 value), so
//! a half-precision file computes what the same file widened on load did.

use half::{bf16, f16};
use ndarray::{s, Array2, ArrayView1, ArrayView2, ArrayViewD, Axis};

/// The two half-precision formats of safetensors files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    F16,
    Bf16,
}

impl Half {
    /// The safetensors dtype name.
    pub fn name(self) -> &'static str {
        match self {
            Half::F16 => "F16",
            Half::Bf16 => "BF16",
        }
    }

    /// One value's bits -> f32 (exact).
    #[inline]
    pub fn widen(self, bits: u16) -> f32 {
        match self {
            Half::F16 => f16::from_bits(bits).to_f32(),
            Half::Bf16 => f32::from_bits((bits as u32) << 16),
        }
    }

    /// f32 -> the nearest value's bits (ties to even, as PyTorch's `.to()`).
    pub fn narrow(self, value: f32) -> u16 {
        match self {
            Half::F16 => f16::from_f32(value).to_bits(),
            Half::Bf16 => bf16::from_f32(value).to_bits(),
        }
    }

    /// `bits` widened into `out` (the same length).
    pub fn widen_into(self, bits: &[u16], out: &mut [f32]) {
        match self {
            // a shift: LLVM vectorises it
            Half::Bf16 => out.iter_mut().zip(bits).for_each(|(o, &b)| *o = f32::from_bits((b as u32) << 16)),
            Half::F16 => out.iter_mut().zip(bits).for_each(|(o, &b)| *o = f16::from_bits(b).to_f32()),
        }
    }

    /// Whether the value is finite (not NaN, not infinite): its exponent is not all ones.
    pub fn is_finite(self, bits: u16) -> bool {
        match self {
            Half::F16 => bits & 0x7c00 != 0x7c00,
            Half::Bf16 => bits & 0x7f80 != 0x7f80,
        }
    }
}

/// f32 values widened at a time (1 MB of scratch), and at least this many
/// rows: narrower blocks make the matrix product repack x too often.
const BLOCK_VALUES: usize = 1 << 18;
const BLOCK_ROWS: usize = 64;
/// Inputs of at most this many rows (a generation step, one position's
/// distribution) take dot products against each widened row instead.
const DOT_ROWS: usize = 4;

/// A weight matrix [N, C] (nn.Linear's layout, or an embedding table).
#[derive(Debug, Clone, PartialEq)]
pub enum Weight {
    F32(Array2<f32>),
    Half(Half, Array2<u16>),
}

impl From<Array2<f32>> for Weight {
    fn from(a: Array2<f32>) -> Self {
        Weight::F32(a)
    }
}

impl Weight {
    /// [N, C]
    pub fn dim(&self) -> (usize, usize) {
        match self {
            Weight::F32(a) => a.dim(),
            Weight::Half(_, a) => a.dim(),
        }
    }

    pub fn len(&self) -> usize {
        let (n, c) = self.dim();
        n * c
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the values take in memory.
    pub fn bytes(&self) -> usize {
        match self {
            Weight::F32(a) => 4 * a.len(),
            Weight::Half(_, a) => 2 * a.len(),
        }
    }

    /// The f32 matrix, when it is stored as f32.
    pub fn as_f32(&self) -> Option<&Array2<f32>> {
        match self {
            Weight::F32(a) => Some(a),
            Weight::Half(..) => None,
        }
    }

    /// The whole matrix as f32 (a copy when it is stored in half precision).
    pub fn to_f32(&self) -> Array2<f32> {
        match self {
            Weight::F32(a) => a.clone(),
            Weight::Half(h, a) => a.mapv(|b| h.widen(b)),
        }
    }

    /// Rows `ids` [T] as f32 -> [T, C] (an embedding lookup).
    pub fn rows(&self, ids: &[usize]) -> Array2<f32> {
        match self {
            Weight::F32(a) => a.select(Axis(0), ids),
            Weight::Half(h, a) => {
                let mut out = Array2::<f32>::zeros((ids.len(), a.ncols()));
                for (mut row, &id) in out.rows_mut().into_iter().zip(ids) {
                    let bits = a.row(id);
                    row.iter_mut().zip(bits.iter()).for_each(|(o, &b)| *o = h.widen(b));
                }
                out
            }
        }
    }

    /// nn.Linear: x [R, C] @ self^T + b -> [R, N]. Half precision is widened
    /// a block of rows at a time into one scratch, each block's product
    /// written into its columns of the output; for a few rows of x, a row at
    /// a time, each output a dot product.
    pub fn linear_t(&self, x: &ArrayView2<f32>, b: Option<&ArrayView1<f32>>) -> Array2<f32> {
        let (h, bits) = match self {
            Weight::F32(w) => return crate::ops::linear_t(x, &w.view(), b),
            Weight::Half(h, bits) => (*h, bits),
        };
        let (n, c) = bits.dim();
        let flat = bits.as_slice().expect("weights are stored row-major");
        let mut y = Array2::<f32>::zeros((x.nrows(), n)); // [R, N]
        if x.nrows() <= DOT_ROWS {
            let x = x.as_standard_layout(); // [R, C], rows contiguous
            let mut wide = vec![0f32; c];
            for (j, row) in flat.chunks_exact(c.max(1)).enumerate() {
                h.widen_into(row, &mut wide);
                for (r, xr) in x.rows().into_iter().enumerate() {
                    y[[r, j]] = dot(xr.as_slice().expect("standard layout"), &wide);
                }
            }
        } else {
            self.blocks(h, flat, x, &mut y);
        }
        match b {
            Some(b) => y + b,
            None => y,
        }
    }

    /// y [R, N] = x [R, C] @ self^T, widened a block of rows at a time.
    fn blocks(&self, h: Half, flat: &[u16], x: &ArrayView2<f32>, y: &mut Array2<f32>) {
        let (n, c) = self.dim();
        let block = (BLOCK_VALUES / c.max(1)).max(BLOCK_ROWS).clamp(1, n.max(1));
        let mut scratch = vec![0f32; block * c];
        for r0 in (0..n).step_by(block) {
            let r1 = (r0 + block).min(n);
            let w = &mut scratch[..(r1 - r0) * c];
            h.widen_into(&flat[r0 * c..r1 * c], w);
            let w = ArrayView2::from_shape((r1 - r0, c), &*w).expect("the scratch holds the block"); // [n_b, C]
            crate::ops::matmul_into(x, &w.t(), &mut y.slice_mut(s![.., r0..r1]));
        }
    }

    /// A view for writing: f32 or half bits, as stored.
    pub fn tensor_ref(&self) -> TensorRef<'_> {
        match self {
            Weight::F32(a) => TensorRef::F32(a.view().into_dyn()),
            Weight::Half(h, a) => TensorRef::Half(*h, a.view().into_dyn()),
        }
    }
}

/// a · b, summed in 16 lanes (so that LLVM vectorises it), then across them.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 16];
    let (a16, b16) = (a.chunks_exact(16), b.chunks_exact(16));
    let tail: f32 = a16.remainder().iter().zip(b16.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a16.zip(b16) {
        for i in 0..16 {
            lanes[i] += x[i] * y[i];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// A parameter's values as stored, for writing a file without a copy.
#[derive(Debug, Clone)]
pub enum TensorRef<'a> {
    F32(ArrayViewD<'a, f32>),
    Half(Half, ArrayViewD<'a, u16>),
}

impl TensorRef<'_> {
    pub fn shape(&self) -> &[usize] {
        match self {
            TensorRef::F32(a) => a.shape(),
            TensorRef::Half(_, a) => a.shape(),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            TensorRef::F32(a) => a.len(),
            TensorRef::Half(_, a) => a.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a> From<ArrayViewD<'a, f32>> for TensorRef<'a> {
    fn from(a: ArrayViewD<'a, f32>) -> Self {
        TensorRef::F32(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_products_equal_the_widened_matrix() {
        // 300 x 4000: blocks of 65 rows, the last one 40; a row at a time for 1 or 3 rows of x.
        let (n, c) = (300, 4000);
        let w = Array2::from_shape_fn((n, c), |(i, j)| ((i * 31 + j * 17) % 97) as f32 / 97.0 - 0.5);
        for (h, r) in [(Half::F16, 5), (Half::Bf16, 5), (Half::Bf16, 1), (Half::F16, 3)] {
            let x = Array2::from_shape_fn((r, c), |(i, j)| ((i * 13 + j * 7) % 89) as f32 / 89.0 - 0.5);
            let half = Weight::Half(h, w.mapv(|v| h.narrow(v)));
            let wide = half.to_f32();
            let y = half.linear_t(&x.view(), None);
            let want = x.dot(&wide.t());
            let worst = (&y - &want).iter().fold(0f32, |m, d| m.max(d.abs()));
            assert!(worst < 1e-4, "{h:?}: {worst}");
            assert_eq!(half.rows(&[3, 0, 299]), ndarray::stack![Axis(0), wide.row(3), wide.row(0), wide.row(299)]);
        }
    }

    #[test]
    fn finiteness_and_rounding() {
        assert!(!Half::Bf16.is_finite(bf16::INFINITY.to_bits()) && !Half::Bf16.is_finite(bf16::NAN.to_bits()));
        assert!(!Half::F16.is_finite(f16::NEG_INFINITY.to_bits()) && Half::F16.is_finite(f16::MAX.to_bits()));
        assert_eq!(Half::Bf16.widen(Half::Bf16.narrow(1.0 + 1.0 / 256.0)), 1.0); // a tie rounds to even
    }
}
