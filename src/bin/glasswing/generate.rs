//! `glasswing generate`: write tokens one at a time, showing each choice.

use clap::Args;
use glasswing::decode::generate;
use glasswing::sample::{Sampler, SamplerSettings};
use glasswing::trace::Nested;
use glasswing::Result;
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::cli::{open, show, write_stdout, InputArgs, ModelArgs};
use crate::term::clean_lines;

#[derive(Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// The prompt.
    #[command(flatten)]
    prompt: InputArgs,
    /// Tokens to write.
    #[arg(long, default_value_t = 20)]
    steps: usize,
    /// Always take the most likely token.
    #[arg(long)]
    greedy: bool,
    /// 0.05 to 10; below 1 sharpens the distribution, above 1 flattens it.
    #[arg(long, default_value_t = 1.0)]
    temperature: f32,
    #[arg(long)]
    top_k: Option<usize>,
    #[arg(long)]
    top_p: Option<f32>,
    #[arg(long)]
    min_p: Option<f32>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// One JSON object: ids, tokens, and every step's distributions, attention and hidden state.
    #[arg(long)]
    json: bool,
}

/// A step as the JSON contract names it.
struct StepJson<'a> {
    step: &'a glasswing::decode::GeneratedStep,
    token: String,
}

impl Serialize for StepJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Step", 6)?;
        st.serialize_field("id", &self.step.id)?;
        st.serialize_field("token", &self.token)?;
        st.serialize_field("raw_probs", &self.step.raw_probs)?;
        st.serialize_field("probs", &self.step.probs)?;
        st.serialize_field("attention", &self.step.attention.as_ref().map(|a| Nested(a.view().into_dyn())))?;
        st.serialize_field("hidden", &self.step.hidden.as_ref().map(|h| Nested(h.view().into_dyn())))?;
        st.end()
    }
}

pub fn run(args: GenerateArgs) -> Result<()> {
    let ckpt = open(&args.model)?;
    let prompt = args.prompt.ids(&ckpt)?;
    let settings = SamplerSettings {
        greedy: args.greedy,
        temperature: args.temperature,
        top_k: args.top_k,
        top_p: args.top_p,
        min_p: args.min_p,
        seed: args.seed,
    };
    let mut sampler = Sampler::new(settings)?;
    let steps = generate(&ckpt.model, &prompt, args.steps, &mut sampler)?;
    let ids: Vec<usize> = prompt.iter().copied().chain(steps.iter().map(|s| s.id)).collect();
    let tokens = ckpt.token_strings(&ids);
    if args.json {
        let steps: Vec<StepJson> =
            steps.iter().zip(&tokens[prompt.len()..]).map(|(step, token)| StepJson { step, token: token.clone() }).collect();
        #[derive(Serialize)]
        struct Generation<'a> {
            ids: &'a [usize],
            tokens: &'a [String],
            steps: Vec<StepJson<'a>>,
        }
        crate::term::write_json_stdout(&Generation { ids: &ids, tokens: &tokens, steps })?;
    } else {
        // The text keeps its line breaks; every other control character is escaped.
        let (before, after) = tokens.split_at(prompt.len());
        let mut out = format!("{}\u{2502}{}\n", clean_lines(&before.concat()), clean_lines(&after.concat()));
        for (step, token) in steps.iter().zip(after) {
            out += &format!("  {}  p = {:.3} (raw {:.3})\n", show(token), step.probs[step.id], step.raw_probs[step.id]);
        }
        write_stdout(&out);
    }
    Ok(())
}
