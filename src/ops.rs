//! The handful of numeric building blocks the models are made of.
//! Shapes: T = sequence length, C = channels, N = output features.

use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis};

/// In-place softmax of one row of any stride; max-subtracted so large logits
/// cannot overflow.
pub fn softmax_inplace(mut row: ArrayViewMut1<f32>) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for x in row.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    let inv = 1.0 / sum;
    row.iter_mut().for_each(|x| *x *= inv);
}

/// Softmax over the last axis of a [T, N] matrix, returned in standard
/// (row-major) layout whatever layout the matrix product gave it.
pub fn softmax_rows(x: Array2<f32>) -> Array2<f32> {
    let mut x = if x.is_standard_layout() { x } else { x.as_standard_layout().into_owned() };
    x.rows_mut().into_iter().for_each(softmax_inplace);
    x
}

/// LayerNorm over channels: x [T, C], weight [C], bias [C] -> [T, C].
/// Biased variance, as torch.nn.LayerNorm.
pub fn layer_norm(x: &Array2<f32>, weight: &Array1<f32>, bias: &Array1<f32>, eps: f32) -> Array2<f32> {
    let mut out = x.clone();
    for mut row in out.rows_mut() {
        let n = row.len() as f32;
        let mean = row.sum() / n;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
        let inv_std = 1.0 / (var + eps).sqrt();
        row.iter_mut()
            .zip(weight.iter().zip(bias.iter()))
            .for_each(|(v, (w, b))| *v = (*v - mean) * inv_std * w + b);
    }
    out
}

/// GELU, tanh approximation (Hugging Face `gelu_new`).
pub fn gelu_tanh(x: f32) -> f32 {
    const SQRT_2_OVER_PI: f32 = 0.797_884_6;
    0.5 * x * (1.0 + (SQRT_2_OVER_PI * (x + 0.044_715 * x * x * x)).tanh())
}

/// The matrix product a [M, K] @ b [K, N] -> [M, N], row-major, for views
/// of any strides (a transposed weight is a view).
pub fn matmul(a: &ArrayView2<f32>, b: &ArrayView2<f32>) -> Array2<f32> {
    let mut c = Array2::zeros((a.nrows(), b.ncols()));
    matmul_into(a, b, &mut c.view_mut());
    c
}

/// c [M, N] = a [M, K] @ b [K, N], overwriting c. Natively the gemm crate's
/// kernels (AVX-512 where the CPU has it), one thread; in wasm ndarray's
/// matrixmultiply (its simd128 kernel).
pub fn matmul_into(a: &ArrayView2<f32>, b: &ArrayView2<f32>, c: &mut ArrayViewMut2<f32>) {
    let ((m, k), n) = (a.dim(), b.ncols());
    assert!(b.nrows() == k && c.dim() == (m, n), "matmul of [{m}, {k}] and {:?} into {:?}", b.dim(), c.dim());
    #[cfg(not(target_arch = "wasm32"))]
    {
        if m == 0 || n == 0 {
            return;
        }
        if k == 0 {
            c.fill(0.0);
            return;
        }
        let (a_s, b_s, c_s) = (a.strides().to_vec(), b.strides().to_vec(), c.strides().to_vec());
        // SAFETY: the pointers and strides come from views of the shapes
        // checked above; c is borrowed mutably, so it aliases neither a nor b.
        unsafe {
            gemm::gemm(
                m, n, k,
                c.as_mut_ptr(), c_s[1], c_s[0], false,
                a.as_ptr(), a_s[1], a_s[0],
                b.as_ptr(), b_s[1], b_s[0],
                0.0, 1.0, false, false, false, gemm::Parallelism::None,
            );
        }
    }
    #[cfg(target_arch = "wasm32")]
    ndarray::linalg::general_mat_mul(1.0, a, b, 0.0, c);
}

/// Conv1D-style affine map: x [T, C] @ w [C, N] + b [N] -> [T, N].
pub fn linear(x: &ArrayView2<f32>, w: &ArrayView2<f32>, b: &ArrayView1<f32>) -> Array2<f32> {
    matmul(x, w) + b
}

/// nn.Linear-style affine map, weight stored [N, C]: x [T, C] @ w^T + b -> [T, N].
pub fn linear_t(x: &ArrayView2<f32>, w: &ArrayView2<f32>, b: Option<&ArrayView1<f32>>) -> Array2<f32> {
    let y = matmul(x, &w.t());
    match b {
        Some(b) => y + b,
        None => y,
    }
}

/// Rows of `table` [V, C] picked by `ids` [T] -> [T, C].
pub fn gather_rows(table: &Array2<f32>, ids: &[usize]) -> Array2<f32> {
    table.select(Axis(0), ids)
}

/// The first `t` rows of `table` [P, C] -> [t, C].
pub fn first_rows(table: &Array2<f32>, t: usize) -> Array2<f32> {
    table.slice(s![..t, ..]).to_owned()
}

/// Shannon entropy in nats of one probability row.
pub fn entropy(p: ArrayView1<f32>) -> f32 {
    -p.iter().filter(|&&x| x > 0.0).map(|&x| x * x.ln()).sum::<f32>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, ShapeBuilder};

    #[test]
    fn softmax_is_stable_and_normalised() {
        let mut row = [1000.0, 1000.0, -1000.0];
        softmax_inplace(ArrayViewMut1::from(&mut row[..]));
        assert!((row[0] - 0.5).abs() < 1e-6 && row[2] == 0.0);
    }

    #[test]
    fn softmax_rows_of_a_column_major_product() {
        // [T,1] x [1,V] can come back column-major: rows are not contiguous.
        let x = Array2::from_shape_vec((3, 2).f(), vec![1.0f32, 2.0, 3.0, 1.0, 2.0, 3.0]).unwrap();
        let p = softmax_rows(x);
        assert!(p.is_standard_layout());
        assert!(p.rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-6 && (r[0] - 0.5).abs() < 1e-6));
    }

    #[test]
    fn layer_norm_centres_and_scales() {
        let x = array![[1.0f32, 2.0, 3.0, 4.0]];
        let y = layer_norm(&x, &Array1::ones(4), &Array1::zeros(4), 1e-5);
        assert!(y.sum().abs() < 1e-5);
        assert!((y.mapv(|v| v * v).sum() / 4.0 - 1.0).abs() < 1e-3);
    }

    #[test]
    fn matmul_of_any_strides_equals_ndarray() {
        let a = Array2::from_shape_fn((5, 7), |(i, j)| (i * 7 + j) as f32 * 0.25 - 3.0);
        let b = Array2::from_shape_fn((9, 7), |(i, j)| (i + 2 * j) as f32 * 0.5 - 4.0);
        for (x, y) in [(a.view(), b.t()), (a.slice(s![1..4, ..]), b.t()), (a.t().t(), b.slice(s![..;2, ..]).t())] {
            assert_eq!(matmul(&x, &y), x.dot(&y)); // small integers and halves: exact either way
        }
        assert_eq!(matmul(&a.slice(s![.., ..0]), &b.slice(s![..0, ..]).t().t()), Array2::<f32>::zeros((5, 7)));
        assert_eq!(matmul(&Array2::zeros((3, 0)).view(), &Array2::zeros((0, 4)).view()), Array2::<f32>::zeros((3, 4)));
    }

    #[test]
    fn gelu_matches_known_values() {
        assert_eq!(gelu_tanh(0.0), 0.0);
        assert!((gelu_tanh(1.0) - 0.841_192).abs() < 1e-5);
        assert!((gelu_tanh(-3.0) + 0.003_637_4).abs() < 1e-5);
    }
}
