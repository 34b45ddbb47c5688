//! `glasswing lens`, `ablate`, `heads`, `attribute` and `patch`: issue 14's
//! interpretability tools (`glasswing::interp`) as commands. `--json` prints
//! the objects (indices from 0); the summaries, `--heads` and `--pos`
//! count positions, layers and heads from 1; token ids are ids.

use std::fmt::Write;

use clap::{Args, ValueEnum};
use glasswing::interp::{self, Ablation};
use glasswing::{Checkpoint, Result};
use ndarray::Array2;
use serde::Serialize;

use crate::cli::{check_count, open, show, write_stdout, InputArgs, ModelArgs};

#[derive(Args)]
pub struct LensArgs {
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    input: InputArgs,
    /// Tokens kept per layer and position, most likely first.
    #[arg(long, default_value_t = 5)]
    top_k: usize,
    /// One JSON object: ids, and layers (L+1 of {top_ids, top_probs}, T x K each).
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Zero,
    Mean,
}

#[derive(Args)]
pub struct AblateArgs {
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    input: InputArgs,
    /// Heads to ablate as LAYER.HEAD, counted from 1, comma-separated: 1.2,2.4.
    #[arg(long, required = true, value_delimiter = ',', value_parser = parse_head)]
    heads: Vec<(usize, usize)>,
    /// zero: each head's z set to 0; mean: to its mean over the positions.
    #[arg(long, value_enum, default_value = "zero")]
    mode: ModeArg,
    /// One JSON object: ids, and probs (T x V) of the ablated model.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct HeadsArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Random tokens before the repeat (the sequence is 2 x len); default 50, or half the model's length.
    #[arg(long)]
    len: Option<usize>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// One JSON object: ids (2N), previous_token, duplicate_token and induction (L x H each).
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct AttributeArgs {
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    input: InputArgs,
    /// The position whose next-token logit is split, counted from 1; default the last.
    #[arg(long)]
    pos: Option<usize>,
    /// The token id whose logit is split; default the most likely next token there.
    #[arg(long)]
    target: Option<usize>,
    /// One JSON object: pos (from 0), target, logit, components [{name, value}].
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct PatchArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// The clean prompt, as text.
    #[arg(long, conflicts_with = "clean_ids", required_unless_present = "clean_ids")]
    clean: Option<String>,
    /// The clean prompt as token ids, comma-separated.
    #[arg(long, value_delimiter = ',')]
    clean_ids: Option<Vec<usize>>,
    /// The corrupted prompt (as many tokens as the clean one), as text.
    #[arg(long, conflicts_with = "corrupt_ids", required_unless_present = "corrupt_ids")]
    corrupt: Option<String>,
    /// The corrupted prompt as token ids, comma-separated.
    #[arg(long, value_delimiter = ',')]
    corrupt_ids: Option<Vec<usize>>,
    /// The token id the clean prompt should lead to.
    #[arg(long)]
    answer: usize,
    /// The token id the corrupted prompt leads to instead.
    #[arg(long)]
    wrong: usize,
    /// One JSON object: clean and corrupt (logit(answer) - logit(wrong) at the last position), heads (L x H effects).
    #[arg(long)]
    json: bool,
}

/// "2.3" (layer 2, head 3, counted from 1) -> (1, 2), indices from 0.
fn parse_head(text: &str) -> std::result::Result<(usize, usize), String> {
    let parsed = text.trim().split_once('.').and_then(|(l, h)| Some((l.parse::<usize>().ok()?, h.parse::<usize>().ok()?)));
    match parsed {
        Some((l, h)) if l >= 1 && h >= 1 => Ok((l - 1, h - 1)),
        _ => Err("a head is LAYER.HEAD, both counted from 1 (1.1 is the first layer's first head)".into()),
    }
}

pub fn lens(args: LensArgs) -> Result<()> {
    let ckpt = open(&args.model)?;
    let ids = args.input.ids(&ckpt)?;
    check_count("top-k", args.top_k, 1, ckpt.model.vocab_size())?;
    let lens = interp::lens(&ckpt.model, &ids, args.top_k)?;
    if args.json {
        return crate::term::write_json_stdout(&lens);
    }
    let last = lens.layers.len() - 1;
    let layer_name = |l: usize| if l == 0 { "embed".to_string() } else { format!("L{l}") };
    let mut out = format!(
        "{} model, {} tokens: the logit lens, the {} most likely next tokens read from the residual stream\n\
         after each layer (embed: entering L1; L{last}: the model's output)\n",
        ckpt.model.arch().name(),
        ids.len(),
        args.top_k
    );
    for (pos, token) in ckpt.token_strings(&ids).iter().enumerate() {
        let _ = writeln!(out, "\n[{}] {}", pos + 1, show(token));
        for (l, layer) in lens.layers.iter().enumerate() {
            let _ = write!(out, "    {:<6}", layer_name(l));
            for (&id, &p) in layer.top_ids[pos].iter().zip(&layer.top_probs[pos]) {
                let _ = write!(out, "  {} {p:.3}", show(&ckpt.token_strings(&[id])[0]));
            }
            out.push('\n');
        }
    }
    write_stdout(&out);
    Ok(())
}

pub fn ablate(args: AblateArgs) -> Result<()> {
    let ckpt = open(&args.model)?;
    let ids = args.input.ids(&ckpt)?;
    let mode = match args.mode {
        ModeArg::Zero => Ablation::Zero,
        ModeArg::Mean => Ablation::Mean,
    };
    if args.json {
        let probs = interp::ablate(&ckpt.model, &ids, &args.heads, mode)?;
        #[derive(Serialize)]
        struct Out<'a> {
            ids: &'a [usize],
            probs: glasswing::trace::Nested<'a>,
        }
        return crate::term::write_json_stdout(&Out { ids: &ids, probs: glasswing::trace::Nested(probs.view().into_dyn()) });
    }
    // The summary sets the ablated distributions beside the plain ones: [T, V] twice.
    interp::check_heads(&ckpt.model, &args.heads, "head ablation")?;
    ckpt.model.check_ids(&ids)?;
    let v = ckpt.model.vocab_size() as u128;
    interp::check_budget(&ckpt.model, "ablation", ids.len(), |n| n as u128 * v)?;
    let plain = interp::ablate(&ckpt.model, &ids, &[], mode)?; // [T, V], nothing ablated
    let probs = interp::ablate(&ckpt.model, &ids, &args.heads, mode)?; // [T, V]
    write_stdout(&format_ablation(&ckpt, &ids, &args.heads, mode, &plain, &probs));
    Ok(())
}

/// Each position's most likely tokens after the ablation, with their
/// probabilities before it, and how much probability moved (total variation).
fn format_ablation(ckpt: &Checkpoint, ids: &[usize], heads: &[(usize, usize)], mode: Ablation, plain: &Array2<f32>, probs: &Array2<f32>) -> String {
    let names: Vec<String> = heads.iter().map(|(l, h)| format!("L{}H{}", l + 1, h + 1)).collect();
    let moved: Vec<f32> = (0..ids.len()).map(|t| 0.5 * (&probs.row(t) - &plain.row(t)).mapv(f32::abs).sum()).collect();
    let (worst, most) = moved.iter().copied().enumerate().fold((0, 0.0f32), |best, (t, m)| if m > best.1 { (t, m) } else { best });
    let mut out = format!(
        "{} model, {} tokens, {} ablated ({}: z set to {})\nmost probability moved: {most:.4} after [{}]\n",
        ckpt.model.arch().name(),
        ids.len(),
        names.join(", "),
        mode.name(),
        if mode == Ablation::Zero { "0" } else { "its mean over the positions" },
        worst + 1,
    );
    for (pos, token) in ckpt.token_strings(ids).iter().enumerate() {
        let _ = writeln!(out, "\n[{}] {}   probability moved {:.4}", pos + 1, show(token), moved[pos]);
        for (id, p) in glasswing::trace::top_k(probs.row(pos), 5) {
            let _ = writeln!(out, "    {:>8} {p:7.4}  (was {:.4})", show(&ckpt.token_strings(&[id])[0]), plain[[pos, id]]);
        }
    }
    out
}

pub fn heads(args: HeadsArgs) -> Result<()> {
    let ckpt = open(&args.model)?;
    let n = args.len.unwrap_or_else(|| 50.min(ckpt.model.max_len() / 2).max(1));
    let ids = interp::repeated_random(&ckpt.model, ckpt.tokenizer.as_ref(), n, args.seed)?;
    let scores = interp::head_scores(&ckpt.model, &ids)?;
    if args.json {
        return crate::term::write_json_stdout(&scores);
    }
    let (layers, n_head) = scores.induction.dim();
    let tokens: Vec<String> = ckpt.token_strings(&ids[..n]).iter().map(|t| show(t)).collect();
    let mut out = format!(
        "{} model, {layers} layers x {n_head} heads, on {n} random tokens (seed {}) repeated twice:\n    {}\n",
        ckpt.model.arch().name(),
        args.seed,
        tokens.join(" ")
    );
    for (name, grid, what) in [
        ("previous-token", &scores.previous_token, "mean attention to the token before, over every position but the first"),
        ("duplicate-token", &scores.duplicate_token, "mean attention from the second copy to the same token in the first"),
        ("induction", &scores.induction, "mean attention from the second copy to the token after it in the first"),
    ] {
        let _ = write!(out, "\n{name}: {what}\n      ");
        (1..=n_head).for_each(|h| {
            let _ = write!(out, " {:>5}", format!("H{h}"));
        });
        for l in 0..layers {
            let _ = write!(out, "\n  L{:<3}", l + 1);
            (0..n_head).for_each(|h| {
                let _ = write!(out, " {:5.2}", grid[[l, h]]);
            });
        }
        let ((l, h), best) = grid.indexed_iter().fold(((0, 0), f32::MIN), |b, (i, &s)| if s > b.1 { (i, s) } else { b });
        let _ = writeln!(out, "\n  highest: L{}H{} {best:.2}", l + 1, h + 1);
    }
    write_stdout(&out);
    Ok(())
}

pub fn attribute(args: AttributeArgs) -> Result<()> {
    let ckpt = open(&args.model)?;
    let ids = args.input.ids(&ckpt)?;
    if let Some(pos) = args.pos {
        check_count("pos", pos, 1, ids.len())?;
    }
    let att = interp::attribute(&ckpt.model, &ids, args.pos.map(|p| p - 1), args.target)?;
    if args.json {
        return crate::term::write_json_stdout(&att);
    }
    write_stdout(&format_attribution(&ckpt, &ids, &att));
    Ok(())
}

/// The components as people read them: the embeddings, an L x H grid of
/// heads with each layer's attention bias and MLP beside it, the final
/// norm's bias, their sum against the logit, and the largest few.
fn format_attribution(ckpt: &Checkpoint, ids: &[usize], att: &interp::Attribution) -> String {
    let (layers, n_head) = interp::layers_heads(&ckpt.model, "attribution").unwrap_or((0, 0));
    let value = |name: &str| att.components.iter().find(|c| c.name == name).map(|c| c.value);
    let cell = |v: Option<f32>| v.map_or(format!("{:>8}", "-"), |v| format!("{v:8.3}"));
    let mut out = format!(
        "{} model, {} tokens: the logit of {} (id {}) after [{}] {} is {:.4}, split into what each part\n\
         of the final residual stream adds through the final norm (its scale frozen)\n\n  embed {:.3}\n\n      ",
        ckpt.model.arch().name(),
        ids.len(),
        show(&ckpt.token_strings(&[att.target])[0]),
        att.target,
        att.pos + 1,
        show(&ckpt.token_strings(&ids[att.pos..=att.pos])[0]),
        att.logit,
        value("embed").unwrap_or(0.0),
    );
    (1..=n_head).for_each(|h| {
        let _ = write!(out, "{:>8}", format!("H{h}"));
    });
    let _ = write!(out, "  {:>9}{:>8}", "attn_bias", "mlp");
    for l in 1..=layers {
        let _ = write!(out, "\n  L{l:<3}");
        (1..=n_head).for_each(|h| out.push_str(&cell(value(&format!("L{l}H{h}")))));
        let _ = write!(out, "  {:>9}{}", cell(value(&format!("L{l}.attn_bias"))).trim_start(), cell(value(&format!("L{l}.mlp"))));
    }
    if let Some(b) = value("final_norm_bias") {
        let _ = write!(out, "\n\n  final_norm_bias {b:.3}");
    }
    let sum: f32 = att.components.iter().map(|c| c.value).sum();
    let _ = writeln!(out, "\n\n  sum of the {} components {sum:.4} (logit {:.4})", att.components.len(), att.logit);
    let mut largest: Vec<&interp::Component> = att.components.iter().collect();
    largest.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
    let top: Vec<String> = largest.iter().take(5).map(|c| format!("{} {:+.3}", c.name, c.value)).collect();
    let _ = writeln!(out, "  largest: {}", top.join(", "));
    out
}

pub fn patch(args: PatchArgs) -> Result<()> {
    let ckpt = open(&args.model)?;
    let clean = InputArgs { text: args.clean.clone(), ids: args.clean_ids.clone() }.ids(&ckpt)?;
    let corrupt = InputArgs { text: args.corrupt.clone(), ids: args.corrupt_ids.clone() }.ids(&ckpt)?;
    let patching = interp::patch(&ckpt.model, &clean, &corrupt, args.answer, args.wrong)?;
    if args.json {
        return crate::term::write_json_stdout(&patching);
    }
    let name = |id: usize| show(&ckpt.token_strings(&[id])[0]);
    let (layers, n_head) = patching.heads.dim();
    let mut out = format!(
        "{} model, {} tokens, metric logit({}) - logit({}) at the last position: clean {:.4}, corrupted {:.4}\n\n\
         each head's z at every position carried from the clean run into the corrupted one,\n\
         (patched - corrupted) / (clean - corrupted): 1 restores the clean metric, 0 does nothing\n      ",
        ckpt.model.arch().name(),
        clean.len(),
        name(args.answer),
        name(args.wrong),
        patching.clean,
        patching.corrupt,
    );
    (1..=n_head).for_each(|h| {
        let _ = write!(out, " {:>6}", format!("H{h}"));
    });
    for l in 0..layers {
        let _ = write!(out, "\n  L{:<3}", l + 1);
        (0..n_head).for_each(|h| {
            let _ = write!(out, " {:6.3}", patching.heads[[l, h]]);
        });
    }
    let ((l, h), best) = patching.heads.indexed_iter().fold(((0, 0), f32::MIN), |b, (i, &s)| if s > b.1 { (i, s) } else { b });
    let _ = writeln!(out, "\n  highest: L{}H{} {best:.3}", l + 1, h + 1);
    write_stdout(&out);
    Ok(())
}
