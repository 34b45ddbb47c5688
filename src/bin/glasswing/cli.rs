//! The command line: trace, info, init, bench, and the interpretability tools (interp.rs), over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use glasswing::bench;
use glasswing::init::ModelSizes;
use glasswing::{Checkpoint, Error, Result, Tokenizer, Trace};

use crate::term::{clean, clean_json, clean_lines};

/// Most timed runs `bench` does per case.
const MAX_BENCH_RUNS: usize = 10_000;

#[derive(Parser)]
#[command(name = "glasswing", version, about = "See inside tiny RNN and GPT-2 language models")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a model on text or ids and show (or print as JSON) what it computed.
    Trace(TraceArgs),
    /// Describe a checkpoint: arch, config, parameter count, vocabulary, metadata.
    Info(ModelArgs),
    /// Write a seeded, untrained model (PyTorch's default initialisation).
    #[command(override_usage = "glasswing init --arch gpt2|rnn [SIZES] (--vocab-text TEXT | --vocab-size N) --seed S -o FILE\n       glasswing init --config config.json --seed S -o DIR")]
    Init(InitArgs),
    /// Time forward-with-trace passes at fixed sizes (median of repeated runs).
    Bench(BenchArgs),
    /// Train a model on a task, with a progress bar; save it with its metrics.
    Train(crate::train::TrainArgs),
    /// Exact-match and per-token accuracy and loss on fresh held-out examples.
    Eval(crate::train::EvalArgs),
    /// Write tokens one at a time with a KV cache, sampled with temperature and filters.
    Generate(crate::generate::GenerateArgs),
    /// The logit lens: the next-token distribution read after every layer (Transformers).
    Lens(crate::interp::LensArgs),
    /// Switch heads off (z set to 0 or to its mean over positions) and show the predictions after.
    Ablate(crate::interp::AblateArgs),
    /// Previous-token, duplicate-token and induction scores of every head on a random repeated sequence.
    Heads(crate::interp::HeadsArgs),
    /// Direct logit attribution: a next-token logit split into embeddings, heads, biases and MLPs.
    Attribute(crate::interp::AttributeArgs),
    /// Activation patching: each head's z carried from a clean prompt into a corrupted one.
    Patch(crate::interp::PatchArgs),
}

#[derive(Args)]
pub struct ModelArgs {
    /// A .safetensors checkpoint.
    #[arg(long)]
    pub model: PathBuf,
    /// A config.json (Hugging Face GPT-2); by default the one beside the model, if any.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// The input tokens, as text or as ids (`trace` and `generate`).
#[derive(Args)]
pub struct InputArgs {
    /// Text, one token per character.
    #[arg(long, conflicts_with = "ids", required_unless_present = "ids")]
    pub text: Option<String>,
    /// Token ids, comma-separated: 3,1,4.
    #[arg(long, value_delimiter = ',')]
    pub ids: Option<Vec<usize>>,
}

impl InputArgs {
    pub fn ids(&self, ckpt: &Checkpoint) -> Result<Vec<usize>> {
        match (&self.text, &self.ids) {
            (Some(text), _) => ckpt.encode(text),
            (None, Some(ids)) => Ok(ids.clone()),
            (None, None) => Err(Error::Empty),
        }
    }
}

#[derive(Args)]
struct TraceArgs {
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    input: InputArgs,
    /// Print one JSON object: arch, ids, tokens, probs, attention, hidden.
    #[arg(long)]
    json: bool,
    /// Write a self-contained interactive HTML page of the trace (no network, no wasm).
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ArchArg {
    Gpt2,
    Rnn,
}

/// Model architecture and sizes, shared by `init` and `train`.
#[derive(Args)]
pub struct SizeArgs {
    #[arg(long, value_enum)]
    pub arch: ArchArg,
    /// gpt2: transformer blocks.
    #[arg(long, default_value_t = 2)]
    pub n_layer: usize,
    /// gpt2: attention heads per block.
    #[arg(long, default_value_t = 4)]
    pub n_head: usize,
    /// gpt2: embedding width.
    #[arg(long, default_value_t = 64)]
    pub n_embd: usize,
    /// gpt2: longest sequence (learned positions); `train` defaults to the task's longest example.
    #[arg(long)]
    pub n_positions: Option<usize>,
    /// rnn: embedding width.
    #[arg(long, default_value_t = 32)]
    pub embed_dim: usize,
    /// rnn: hidden state size.
    #[arg(long, default_value_t = 64)]
    pub hidden_size: usize,
    /// rnn: stacked layers.
    #[arg(long, default_value_t = 1)]
    pub num_layers: usize,
    /// rnn: tanh or relu.
    #[arg(long, value_enum, default_value = "tanh")]
    pub nonlinearity: NonlinearityArg,
}

impl SizeArgs {
    pub fn sizes(&self) -> ModelSizes {
        ModelSizes {
            arch: match self.arch {
                ArchArg::Gpt2 => "gpt2".into(),
                ArchArg::Rnn => "rnn".into(),
            },
            n_layer: self.n_layer,
            n_head: self.n_head,
            n_embd: self.n_embd,
            n_positions: self.n_positions,
            embed_dim: self.embed_dim,
            hidden_size: self.hidden_size,
            num_layers: self.num_layers,
            nonlinearity: match self.nonlinearity {
                NonlinearityArg::Tanh => "tanh".into(),
                NonlinearityArg::Relu => "relu".into(),
            },
        }
    }
}

#[derive(Args)]
struct InitArgs {
    /// A Hugging Face config.json of LlamaForCausalLM or Qwen2ForCausalLM:
    /// writes the Hub folder -o DIR (model.safetensors and this config.json), traced by ids.
    #[arg(long, value_name = "config.json", conflicts_with_all = ["SizeArgs", "vocab_text", "vocab_size"], required_unless_present = "arch")]
    config: Option<PathBuf>,
    #[command(flatten)]
    sizes: Option<SizeArgs>,
    /// Vocabulary: the distinct characters of this text.
    #[arg(long, conflicts_with = "vocab_size", required_unless_present_any = ["vocab_size", "config"])]
    vocab_text: Option<String>,
    /// Vocabulary size, without token strings (the model is traced by ids).
    #[arg(long)]
    vocab_size: Option<usize>,
    #[arg(long)]
    seed: u64,
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    description: Option<String>,
    /// With --config: the dtype of every tensor in model.safetensors (bf16 or
    /// f16 as the Hub ships them, rounded from the f32 model; f32 by default).
    #[arg(long, value_enum, requires = "config", default_value = "f32")]
    dtype: DtypeArg,
    /// The model file; with --config, the folder to write.
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DtypeArg {
    F32,
    Bf16,
    F16,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum NonlinearityArg {
    Tanh,
    Relu,
}

#[derive(Args)]
struct BenchArgs {
    /// Time this model (a file or Hub folder) instead of the built-in cases.
    #[arg(long, value_name = "FILE|DIR")]
    model: Option<PathBuf>,
    /// With --model: the sequence length (seeded random ids of its vocabulary).
    #[arg(long, default_value_t = 128, requires = "model")]
    len: usize,
    /// Timed runs per case, the median reported (default 50; 5 with --model).
    #[arg(long)]
    runs: Option<usize>,
    /// JSON: with --model one object {"model", "len", "runs", "median_us", "gflops"}; else only the
    /// built-in forward timings as lines {"name", "micros"} (for the browser benchmark's ratio).
    #[arg(long)]
    json: bool,
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // A usage error quotes the argument. Rendered again in plain style, the
        // only escape sequences left are the argument's own, which `note`
        // shows escaped (clap's plain text would silently drop them).
        Err(e) if e.use_stderr() => {
            let e = Cli::command().styles(clap::builder::Styles::plain()).try_get_matches().err().unwrap_or(e);
            note(e.render().ansi().to_string().trim_end());
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
        Err(e) => e.exit(), // --help, --version
    };
    let result = match cli.command {
        Command::Trace(args) => trace(args),
        Command::Info(args) => info(args),
        Command::Init(args) => init(args),
        Command::Train(args) => crate::train::train(args),
        Command::Eval(args) => crate::train::eval(args),
        Command::Generate(args) => crate::generate::run(args),
        Command::Lens(args) => crate::interp::lens(args),
        Command::Ablate(args) => crate::interp::ablate(args),
        Command::Heads(args) => crate::interp::heads(args),
        Command::Attribute(args) => crate::interp::attribute(args),
        Command::Patch(args) => crate::interp::patch(args),
        Command::Bench(args) => run_bench(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, whatever file content or argument the message quotes.
            note(&format!("error: {}", clean(&e.to_string())));
            ExitCode::FAILURE
        }
    }
}

pub fn open(args: &ModelArgs) -> Result<Checkpoint> {
    Checkpoint::open(&args.model, args.config.as_deref())
}

fn trace(args: TraceArgs) -> Result<()> {
    let ckpt = open(&args.model)?;
    let trace = ckpt.trace_ids(&args.input.ids(&ckpt)?)?;
    if let Some(out) = &args.html {
        let title = ckpt.metadata.get("title").cloned().unwrap_or_else(|| "Glasswing trace".into());
        let text = args.input.text.clone().unwrap_or_default();
        let vocab: Option<Vec<String>> = ckpt.tokenizer.as_ref().map(|t| (0..t.vocab_size()).map(|id| t.token(id)).collect());
        let html = glasswing::export::standalone_html(&trace, &title, &text, vocab.as_deref());
        std::fs::write(out, html).map_err(|e| Error::Io(format!("cannot write {}: {e}", out.display())))?;
        note(&format!("wrote {}", clean(&out.display().to_string())));
        return Ok(());
    }
    if args.json {
        crate::term::write_json_stdout(&trace)?;
    } else {
        write_stdout(&format_trace(&ckpt, &trace));
    }
    Ok(())
}

/// A count given on the command line that must lie in `min..=max` (the
/// message shows it exactly, not rounded through f64).
pub fn check_count(field: &str, value: usize, min: usize, max: usize) -> Result<()> {
    if (min..=max).contains(&value) {
        return Ok(());
    }
    Err(Error::OutOfRange { field: field.into(), value: value.to_string(), min: min as f64, max: max as f64 })
}

/// Writes to stdout, treating a closed pipe (`| head`) as a normal end. Lines
/// stay lines; any control character left in them is escaped (`term`).
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(clean_lines(text).as_bytes());
}

/// One message line on stderr (progress, "wrote ...", errors), cleaned like
/// stdout; a closed stderr is ignored rather than a panic.
pub fn note(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{}", clean_lines(line));
}

/// A token as the terminal shows it: quoted, with control characters (and
/// anything else Rust's `Debug` finds unprintable) escaped.
pub fn show(token: &str) -> String {
    format!("{token:?}")
}

fn bar(p: f32, width: usize) -> String {
    let eighths = (p.clamp(0.0, 1.0) * width as f32 * 8.0).round() as usize;
    let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8];
    format!("{}{}", "█".repeat(eighths / 8), partial)
}

/// The terminal summary. Positions, layers and heads count from 1 here, as on
/// the page (`[1]` is the first token, `L1H1` the first head); `--json` keeps
/// 0-based indices.
fn format_trace(ckpt: &Checkpoint, trace: &Trace) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{} model, {} tokens", trace.arch.name(), trace.len());
    for pos in 0..trace.len() {
        let _ = writeln!(out, "\n[{}] {}   next-token entropy {:.2} nats", pos + 1, show(&trace.tokens[pos]), trace.entropy(pos));
        for (id, p) in trace.top_k(pos, 5) {
            let tok = ckpt.token_strings(&[id]).remove(0);
            let _ = writeln!(out, "    {:>8} {:6.3} {}", show(&tok), p, bar(p, 30));
        }
        if let Some(att) = &trace.attention {
            let (layers, heads) = (att.shape()[0], att.shape()[1]);
            let mut line = String::from("    most attended:");
            for l in 0..layers {
                for h in 0..heads {
                    if let Some((key, w)) = trace.most_attended(l, h, pos) {
                        line += &format!("  L{}H{}→{}@{} {w:.2}", l + 1, h + 1, show(&trace.tokens[key]), key + 1);
                    }
                }
            }
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

fn info(args: ModelArgs) -> Result<()> {
    use std::fmt::Write;
    let ckpt = open(&args)?;
    let model = &ckpt.model;
    let mut out = String::new();
    let _ = writeln!(out, "arch:       {}", model.arch().name());
    let _ = writeln!(out, "config:     {}", clean(&model.config_json().to_string()));
    let _ = writeln!(out, "parameters: {}", model.num_params());
    match &ckpt.tokenizer {
        Some(tok) => {
            let first: Vec<String> = (0..tok.vocab_size().min(40)).map(|id| show(&tok.token(id))).collect();
            let more = if tok.vocab_size() > 40 { " ..." } else { "" };
            let kind = if tok.kind() == "bpe" { " (byte-level BPE)" } else { "" };
            let _ = writeln!(out, "vocabulary: {} tokens{kind}: {}{more}", tok.vocab_size(), first.join(" "));
        }
        None => {
            let _ = writeln!(out, "vocabulary: none ({} ids, traced by id)", model.vocab_size());
        }
    }
    // Free text from the file: each key and value on its line, escaped (a
    // title holding ESC ] 0; ... BEL would otherwise retitle the terminal).
    for (key, value) in &ckpt.metadata {
        let _ = writeln!(out, "{}: {}", clean(key), clean(value));
    }
    write_stdout(&out);
    Ok(())
}

fn init(args: InitArgs) -> Result<()> {
    let mut metadata = std::collections::BTreeMap::new();
    metadata.insert("training".to_string(), format!("untrained: PyTorch default initialisation, seed {}", args.seed));
    metadata.extend(args.title.map(|t| ("title".to_string(), t)));
    metadata.extend(args.description.map(|d| ("description".to_string(), d)));
    let shown = clean(&args.output.display().to_string());
    if let Some(path) = &args.config {
        // A Hub folder: the config is read (bounded), the model made from it and both written.
        let config = glasswing::checkpoint::read_text_bounded(path, glasswing::checkpoint::MAX_TEXT_FILE_BYTES)?;
        let model = glasswing::init::init_hub(&config, args.seed)?;
        let ckpt = Checkpoint { model, tokenizer: None, metadata };
        let cast = match args.dtype {
            DtypeArg::F32 => None,
            DtypeArg::Bf16 => Some(glasswing::weight::Half::Bf16),
            DtypeArg::F16 => Some(glasswing::weight::Half::F16),
        };
        ckpt.save_hub_folder(&args.output, &config, cast)?;
        note(&format!("wrote {shown}/model.safetensors and config.json ({} parameters)", count_params(&ckpt.model)));
        return Ok(());
    }
    let Some(sizes) = args.sizes else { return Err(Error::Config("give --arch and its sizes, or --config".into())) };
    let tokenizer = args.vocab_text.as_deref().map(Tokenizer::from_text).transpose()?;
    let vocab_size = match (&tokenizer, args.vocab_size) {
        (Some(tok), _) => tok.vocab_size(),
        (None, Some(n)) => n,
        (None, None) => return Err(Error::Config("give --vocab-text or --vocab-size".into())),
    };
    let model = sizes.sizes().build(vocab_size, 64, args.seed)?;
    let ckpt = Checkpoint { model, tokenizer, metadata };
    ckpt.save(&args.output)?;
    note(&format!("wrote {shown} ({} parameters)", count_params(&ckpt.model)));
    Ok(())
}

/// Parameters of `model`, counted over views.
fn count_params(model: &glasswing::Model) -> usize {
    model.num_params()
}

fn run_bench(args: BenchArgs) -> Result<()> {
    let runs = args.runs.unwrap_or(if args.model.is_some() { 5 } else { 50 });
    // Each run's time is kept for the median: bound them before any work.
    check_count("runs", runs, 1, MAX_BENCH_RUNS)?;
    // Line by line through write_stdout, so `| head` ends the output quietly.
    let say = |line: String| write_stdout(&(line + "\n"));
    if let Some(path) = &args.model {
        let case = bench::model_case(clean(&path.display().to_string()), Checkpoint::open(path, None)?, args.len, 1)?;
        let micros = bench::median_trace_micros(&case, runs)?;
        let gflops = case.checkpoint.model.forward_flops(args.len) / micros / 1e3;
        say(if args.json {
            clean_json(&serde_json::json!({ "model": case.name, "len": args.len, "runs": runs, "median_us": micros, "gflops": gflops }).to_string())
        } else {
            format!("{}: forward with trace at T={}: median {:.1} ms of {runs} runs, {gflops:.1} GFLOP/s", case.name, args.len, micros / 1e3)
        });
        return Ok(());
    }
    if args.json {
        for t in [16, 64, 256] {
            for case in bench::cases(t)? {
                let micros = bench::median_trace_micros(&case, runs)?;
                say(clean_json(&serde_json::json!({ "name": case.name, "micros": micros }).to_string()));
            }
        }
        return Ok(());
    }
    say(format!("{:<28} {:>12} {:>14}", "case (forward with trace)", "median µs", "tokens/s"));
    for t in [16, 64] {
        for case in bench::cases(t)? {
            let micros = bench::median_trace_micros(&case, runs)?;
            say(format!("{:<28} {:>12.1} {:>14.0}", case.name, micros, case.ids.len() as f64 / (micros / 1e6)));
        }
    }
    // Training: steps per second, then wall time until reverse reaches 99% held-out exact match.
    let options = bench::reverse_training_options();
    let mut trainer = glasswing::train::trainer::Trainer::from_options(&options)?;
    let start = std::time::Instant::now();
    let mut reached = None;
    while trainer.steps_done() < options.steps {
        trainer.step();
        if trainer.steps_done() == 200 {
            let secs = start.elapsed().as_secs_f64();
            say(format!("\ntraining gpt2 L2 H2 d32 reverse, batch {}: {:.1} steps/s", trainer.settings.batch_size, 200.0 / secs));
        }
        if trainer.steps_done() % 100 == 0 && trainer.evaluate(200).exact_match >= 0.99 {
            reached = Some((trainer.steps_done(), start.elapsed().as_secs_f64()));
            break;
        }
    }
    match reached {
        Some((steps, secs)) => say(format!("reverse to 99% held-out exact match: {secs:.1} s ({steps} steps, native)")),
        None => say(format!("reverse did not reach 99% in {} steps", options.steps)),
    }
    Ok(())
}
