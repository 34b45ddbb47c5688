//! `glasswing train` and `glasswing eval`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use glasswing::train::tasks::Task;
use glasswing::train::trainer::{TrainOptions, Trainer};
use glasswing::train::{evaluate_task, Metrics, MAX_EVAL_EXAMPLES};
use glasswing::{Error, Result};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{check_count, note, open, write_stdout, ModelArgs, SizeArgs};
use crate::term::{clean, clean_json};

/// Held-out examples behind the metrics a trained model records.
const FINAL_EVAL_N: usize = 1000;

#[derive(Args)]
pub struct TrainArgs {
    #[command(flatten)]
    sizes: SizeArgs,
    /// reverse, sort, induction (or copy), brackets, add, toy, or text (with --text-file).
    #[arg(long)]
    task: String,
    /// The text for `--task text` (UTF-8; one token per character).
    #[arg(long)]
    text_file: Option<PathBuf>,
    #[arg(long, default_value_t = 2000)]
    steps: usize,
    #[arg(long)]
    seed: u64,
    /// Stop once held-out exact match reaches this (0 to 1).
    #[arg(long)]
    target_accuracy: Option<f32>,
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    #[arg(long, default_value_t = 3e-3)]
    lr: f32,
    /// Evaluate on held-out examples every this many steps.
    #[arg(long, default_value_t = 100)]
    eval_every: usize,
    /// Held-out examples per evaluation.
    #[arg(long, default_value_t = 200)]
    eval_n: usize,
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    description: Option<String>,
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(Args)]
pub struct EvalArgs {
    #[command(flatten)]
    model: ModelArgs,
    #[arg(long)]
    task: String,
    #[arg(long)]
    text_file: Option<PathBuf>,
    #[arg(long, default_value_t = 1000)]
    n: usize,
    /// Held-out examples are drawn from this seed (salted, never the training stream).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    #[arg(long)]
    json: bool,
}

/// Reads the text of `--task text`, at most a tenth of the memory budget (the
/// task keeps it, and its windows, in memory): `/dev/zero` or a 50 GB file is
/// an error, not an endless read.
fn read_text(text_file: &Option<PathBuf>) -> Result<Option<String>> {
    let max = glasswing::budget::limit() / 10;
    text_file.as_ref().map(|path| glasswing::checkpoint::read_text_bounded(path, max)).transpose()
}

/// The options only the command has (the library checks the rest): checked
/// before any work, so `--eval-every 0` is an error, not a division by zero.
fn check_train_args(args: &TrainArgs) -> Result<()> {
    Error::check_at_least("eval_every", args.eval_every, 1)?;
    check_count("eval_n", args.eval_n, 1, MAX_EVAL_EXAMPLES)?;
    if let Some(a) = args.target_accuracy {
        Error::check_range("target_accuracy", a, 0.0, 1.0)?;
    }
    Ok(())
}

/// Fails now rather than after the training if the checkpoint cannot be
/// written there (a directory, a missing folder, no permission).
fn check_writable(path: &Path) -> Result<()> {
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| Error::Io(format!("cannot write {}: {e}", path.display())))?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

pub fn train(args: TrainArgs) -> Result<()> {
    check_train_args(&args)?;
    check_writable(&args.output)?;
    let options = TrainOptions {
        sizes: args.sizes.sizes(),
        task: args.task.clone(),
        text: read_text(&args.text_file)?,
        seed: args.seed,
        steps: args.steps,
        batch_size: args.batch_size,
        lr: args.lr,
    };
    let mut trainer = Trainer::from_options(&options)?;

    let bar = ProgressBar::new(args.steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} steps  {msg}").expect("a valid template"),
    );
    let start = Instant::now();
    let (mut tokens, mut metrics) = (0usize, None::<Metrics>);
    let mut reached = None;
    while trainer.steps_done() < args.steps {
        let stats = trainer.step();
        tokens += stats.tokens;
        let done = trainer.steps_done();
        if done % args.eval_every == 0 || done == args.steps {
            let m = trainer.evaluate(args.eval_n);
            metrics = Some(m);
            if args.target_accuracy.is_some_and(|a| m.exact_match >= a) {
                reached = Some((done, start.elapsed().as_secs_f64()));
                break;
            }
        }
        let held = metrics.map_or(String::from("-"), |m| format!("{:.1}%", 100.0 * m.exact_match));
        let rate = tokens as f64 / start.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!("loss {:.4}  held-out exact {held}  {rate:.0} tok/s", stats.loss));
        bar.set_position(done as u64);
    }
    bar.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();
    // The recorded metrics use more examples than the periodic checks, to be precise.
    let final_n = args.eval_n.max(FINAL_EVAL_N);
    let final_metrics = trainer.evaluate(final_n);
    let steps = trainer.steps_done();
    match (args.target_accuracy, reached) {
        (Some(a), Some((s, secs))) => note(&format!("reached {:.1}% held-out exact match (target {:.1}%) after {s} steps in {secs:.1} s", 100.0 * final_metrics.exact_match, 100.0 * a)),
        (Some(a), None) => note(&format!("did not reach {:.1}% in {steps} steps ({seconds:.1} s)", 100.0 * a)),
        (None, _) => {}
    }
    note(&format!(
        "{} steps in {seconds:.1} s: held-out exact match {:.1}%, token accuracy {:.1}%, loss {:.4}",
        steps,
        100.0 * final_metrics.exact_match,
        100.0 * final_metrics.token_accuracy,
        final_metrics.loss
    ));

    let mut ckpt = trainer.checkpoint(Some((&final_metrics, final_n)));
    ckpt.metadata.extend(args.title.map(|t| ("title".to_string(), t)));
    ckpt.metadata.extend(args.description.map(|d| ("description".to_string(), d)));
    ckpt.save(&args.output)?;
    note(&format!("wrote {}", clean(&args.output.display().to_string())));
    Ok(())
}

pub fn eval(args: EvalArgs) -> Result<()> {
    let ckpt = open(&args.model)?;
    let task = Task::parse(&args.task, read_text(&args.text_file)?.as_deref())?;
    if ckpt.tokenizer.as_ref() != Some(&task.tokenizer()) {
        return Err(Error::Config(format!("the model's vocabulary is not the {} task's", task.name())));
    }
    let m = evaluate_task(&ckpt.model, &task, args.n, args.seed)?;
    if args.json {
        let json = serde_json::json!({
            "task": task.name(), "n": args.n, "exact_match": m.exact_match,
            "token_accuracy": m.token_accuracy, "loss": m.loss,
        });
        write_stdout(&format!("{}\n", clean_json(&json.to_string())));
    } else {
        write_stdout(&format!(
            "{} on {} held-out examples: exact match {:.2}%, token accuracy {:.2}%, loss {:.4}\n",
            task.name(), args.n, 100.0 * m.exact_match, 100.0 * m.token_accuracy, m.loss
        ));
    }
    Ok(())
}
