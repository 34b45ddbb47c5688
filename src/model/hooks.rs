//! Hook points: named places inside the one forward pass where a probe may
//! read, or change, what the model computed (TransformerLens's idea). The
//! trace is recorded by a probe; training keeps its activations with one;
//! ablation, patching and the logit lens are probes too.
//!
//! Shapes, for Tn new positions (the forward's `ids`), Tk = every position so
//! far (cache and new), C width, H heads, D = C / H, Hd the RNN's hidden size:
//!
//! | hook | shape | what |
//! |---|---|---|
//! | `ResidPre` | [Tn, C] | the residual stream entering block l |
//! | `Q`, `K`, `V` | [Tn, H, D] | per-head queries, keys, values (before the cache) |
//! | `Pattern` | [H, Tn, Tk] | attention weights, rows sum to 1, causal |
//! | `Z` | [Tn, H, D] | per-head attention-weighted values, before the output projection |
//! | `AttnOut` | [Tn, C] | the attention block's output (projection and bias) |
//! | `ResidMid` | [Tn, C] | the residual stream after attention |
//! | `MlpPre` | [Tn, 4C] | the MLP's pre-activation |
//! | `MlpOut` | [Tn, C] | the MLP's output |
//! | `ResidPost` | [Tn, C] | the residual stream leaving block l |
//! | `Hidden` | [Tn, Hd] | an RNN layer's states |

use ndarray::{s, Array2, ArrayViewD, ArrayViewMutD, Axis, Slice};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hook {
    ResidPre,
    Q,
    K,
    V,
    Pattern,
    Z,
    AttnOut,
    ResidMid,
    MlpPre,
    MlpOut,
    ResidPost,
    Hidden,
}

impl Hook {
    /// TransformerLens's name for the hook point.
    pub fn name(self) -> &'static str {
        match self {
            Hook::ResidPre => "resid_pre",
            Hook::Q => "q",
            Hook::K => "k",
            Hook::V => "v",
            Hook::Pattern => "pattern",
            Hook::Z => "z",
            Hook::AttnOut => "attn_out",
            Hook::ResidMid => "resid_mid",
            Hook::MlpPre => "mlp_pre",
            Hook::MlpOut => "mlp_out",
            Hook::ResidPost => "resid_post",
            Hook::Hidden => "hidden",
        }
    }
}

/// Something that watches (or edits) the forward pass at its hook points.
/// `value` is the forward's own buffer: what the probe leaves in it is what
/// the rest of the pass computes with.
pub trait Probe {
    fn at(&mut self, layer: usize, hook: Hook, value: ArrayViewMutD<'_, f32>);
}

/// A probe that does nothing: the plain forward pass.
pub struct NoProbe;

impl Probe for NoProbe {
    fn at(&mut self, _: usize, _: Hook, _: ArrayViewMutD<'_, f32>) {}
}

/// Any closure is a probe.
impl<F: FnMut(usize, Hook, ArrayViewMutD<'_, f32>)> Probe for F {
    fn at(&mut self, layer: usize, hook: Hook, value: ArrayViewMutD<'_, f32>) {
        self(layer, hook, value)
    }
}

/// Which new positions an output is kept for: all of them (a trace), or
/// only the last (a generation step: its logits are [1, V], not [Tn, V]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    All,
    Last,
}

impl Rows {
    /// The rows of `value` [.., Tn, ..] along `axis` kept.
    pub fn kept<'a>(self, value: ArrayViewD<'a, f32>, axis: usize) -> ArrayViewD<'a, f32> {
        match self {
            Rows::All => value,
            Rows::Last => {
                let last = value.len_of(Axis(axis)).saturating_sub(1);
                value.slice_axis_move(Axis(axis), Slice::from(last..))
            }
        }
    }

    /// x [Tn, C] -> the kept rows [R, C], R = Tn or 1.
    pub fn of(self, x: Array2<f32>) -> Array2<f32> {
        match self {
            Rows::All => x,
            Rows::Last => x.slice(s![-1.., ..]).to_owned(),
        }
    }
}
