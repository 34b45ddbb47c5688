//! Property tests of the `glasswing` command (issue 9): whatever numbers and
//! text its arguments hold (0, -1, huge, 2^64, NaN, inf, 1e308, empty, control
//! characters and escape sequences, very long text, characters no model
//! knows), every subcommand ends cleanly: exit 0, or exit 1 with one line
//! `error: ...` on stderr (clap's usage errors, exit 2, also start `error: `),
//! never a panic (101), an abort or a signal, never a run that has to be
//! killed, and never a raw control character on the terminal.
//!
//! Each case spawns the built binary on small fixtures, with a memory budget
//! of 300 MB (so nothing here can allocate much) and a 20 s limit. Arguments
//! are chosen so that every run the command accepts is short: a huge
//! `train --steps` comes only with `--target-accuracy 0` and a small
//! `--eval-every`, a huge `--batch-size` or model size only above what the
//! budget allows, and so on; values that are valid but slow by design
//! (eval --n 1000000) are left out.
//!
//! Cases run from a fixed seed; set PROPTEST_RNG_SEED (and PROPTEST_CASES)
//! to try others. A failure is saved in cli_props.proptest-regressions.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{FileFailurePersistence, RngSeed};

const TIME_LIMIT: Duration = Duration::from_secs(20);
const BUDGET: &str = "300M";

/// The fixed seed and case count, unless PROPTEST_RNG_SEED / PROPTEST_CASES say otherwise.
fn config(cases: u32) -> ProptestConfig {
    let from_env = ProptestConfig::default();
    ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() { from_env.cases } else { cases },
        rng_seed: if std::env::var_os("PROPTEST_RNG_SEED").is_some() { from_env.rng_seed } else { RngSeed::Fixed(0x9_1a55) },
        max_shrink_iters: 64,
        // integration tests have no lib.rs beside them for proptest to find: name the file
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/cli_props.proptest-regressions"))),
        ..from_env
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> String {
    root().join("tests/fixtures").join(name).to_str().unwrap().to_string()
}

fn shipped(name: &str) -> String {
    root().join("www/models").join(name).to_str().unwrap().to_string()
}

/// A fresh path in the temp dir, removed at the end of the case.
fn temp_path(ext: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!("glasswing-props-{}-{}.{ext}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)))
}

/// Files made once for every case: a truncated model, a model whose header
/// quotes an escape sequence, task texts (one full of control characters).
struct Files {
    truncated: String,
    hostile_header: String,
    text_plain: String,
    text_hostile: String,
    text_one_char: String,
}

fn files() -> &'static Files {
    static FILES: OnceLock<Files> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("glasswing-props-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).unwrap();
            path.to_str().unwrap().to_string()
        };
        let model = std::fs::read(fixture("gpt_l1_h1.safetensors")).unwrap();
        let header = serde_json::json!({ "w": { "dtype": "\u{1b}]0;pwned\u{7}", "shape": [1], "data_offsets": [0, 4] } }).to_string();
        let mut hostile = (header.len() as u64).to_le_bytes().to_vec();
        hostile.extend(header.as_bytes());
        hostile.extend([0u8; 4]);
        Files {
            truncated: write("truncated.safetensors", &model[..model.len() / 2]),
            hostile_header: write("hostile.safetensors", &hostile),
            text_plain: write("plain.txt", "the cat sat on the mat. 我喜欢月亮。\n".repeat(20).as_bytes()),
            text_hostile: write("hostile.txt", "ab\u{1b}[31mcd\u{9b}2J\r\u{7}\u{202e}ef\u{7f}\n我🦋".as_bytes()),
            text_one_char: write("one.txt", b"a"),
        }
    })
}

/// How a run ended.
#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the command with the budget (`budget`, else 300 MB); None if it had to be killed.
fn run(args: &[String], budget: Option<&str>) -> Option<Outcome> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_glasswing"))
        .args(args)
        .env("GLASSWING_MEMORY_BUDGET", budget.unwrap_or(BUDGET))
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let text = |h: std::thread::JoinHandle<Vec<u8>>| String::from_utf8_lossy(&h.join().unwrap()).into_owned();
    let (stdout, stderr) = (text(out), text(err));
    status.map(|s| Outcome { code: s.code(), stdout, stderr })
}

/// A character a terminal would act on (C0 but the newline, DEL, C1) or that
/// reorders the line (bidirectional overrides and isolates).
fn raw_control(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && c != '\n') || ('\u{202A}'..='\u{202E}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c)
    })
}

/// The clean exit every run must have.
fn check(args: &[String]) -> Result<Outcome, TestCaseError> {
    check_with_budget(args, None)
}

fn check_with_budget(args: &[String], budget: Option<&str>) -> Result<Outcome, TestCaseError> {
    let Some(out) = run(args, budget) else {
        return Err(TestCaseError::fail(format!("{args:?} was still running after {TIME_LIMIT:?}")));
    };
    let Outcome { code, stdout, stderr } = &out;
    if std::env::var_os("GLASSWING_PROPS_LOG").is_some() {
        let first = stderr.lines().next().unwrap_or("").chars().take(100).collect::<String>();
        eprintln!("RUN {} {:?} {}", args.first().map_or("-", |s| s.as_str()).chars().take(10).collect::<String>(), code, first);
    }
    match code {
        Some(0) => {}
        Some(1) => prop_assert!(
            stderr.lines().count() == 1 && stderr.starts_with("error: "),
            "{args:?}: exit 1 must give one line `error: ...`, got {stderr:?}"
        ),
        // clap's usage errors (`error: ...`, then usage lines), or its help when no command is given
        Some(2) => prop_assert!(
            stderr.starts_with("error: ") || stderr.contains("Usage: glasswing"),
            "{args:?}: exit 2 without `error: `: {stderr:?}"
        ),
        other => prop_assert!(false, "{args:?}: exit {other:?} (101 is a panic, None a signal): {stderr}"),
    }
    prop_assert_eq!(raw_control(stdout), None, "{:?} wrote a control character to stdout: {:?}", args, stdout);
    prop_assert_eq!(raw_control(stderr), None, "{:?} wrote a control character to stderr: {:?}", args, stderr);
    let json_command = args.first().is_some_and(|c| ["trace", "generate", "eval", "bench"].contains(&c.as_str()));
    let help = args.iter().any(|a| ["--help", "-h", "--version", "-V"].contains(&a.as_str()));
    if *code == Some(0) && json_command && !help && args.iter().any(|a| a == "--json") {
        for line in stdout.lines() {
            prop_assert!(serde_json::from_str::<serde_json::Value>(line).is_ok(), "{args:?}: not JSON: {line}");
        }
    }
    Ok(out)
}

// ---- values ----
//
// Each numeric argument mostly gets values of its type (so the command, not
// only clap, has to deal with them), extremes most of all; now and then junk
// that does not parse at all.

/// Counts at the edges: 0, 1, 10^9, 2^64 - 1 and other huge ones.
fn extreme_count() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(&["0", "1", "1000000000", "18446744073709551615", "4294967296", "9223372036854775808"][..]).prop_map(String::from),
        1 => (1_000_000_000u64..=u64::MAX).prop_map(|n| n.to_string()),
    ]
    .boxed()
}

/// Floats at the edges: NaN, infinities, 0, negatives, 1e30, 1e308, subnormals.
fn extreme_float() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(&[
            "NaN", "nan", "inf", "-inf", "infinity", "-infinity", "0", "-0", "-1", "1e30", "-1e30", "1e308", "-1e308", "1e309",
            "1e-30", "1e-45", "1e-46", "3.4028236e38", "18446744073709551615",
        ][..])
        .prop_map(String::from),
        1 => any::<f32>().prop_map(|x| x.to_string()),
        1 => any::<f64>().prop_map(|x| format!("{x:e}")),
    ]
    .boxed()
}

/// What parses as no number at all.
fn junk() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(&[
            "", " ", "-1", "-0.5", "1 ", " 1", "0x10", "1_000", "1.5.2", "1e", "e5", "١٢", "½", "18446744073709551616",
            "-9223372036854775809", "\u{1b}[31m", "\u{1b}]0;pwned\u{7}", "\u{9b}2J", "\r1", "1\t", "\u{7f}", "\u{202e}1", "--", "-",
        ][..])
        .prop_map(String::from),
        1 => "9{20,400}",
        1 => "[a-z\\x01-\\x1f\\u{80}-\\u{9f}]{1,8}",
    ]
    .boxed()
}

/// A count argument: small valid values in `range`, extremes, junk.
fn count(range: std::ops::RangeInclusive<u64>) -> BoxedStrategy<String> {
    prop_oneof![12 => range.prop_map(|n| n.to_string()), 6 => extreme_count(), 1 => junk()].boxed()
}

/// A count argument whose every valid value is fast (seeds, top-k).
fn any_count() -> BoxedStrategy<String> {
    prop_oneof![6 => any::<u64>().prop_map(|n| n.to_string()), 6 => extreme_count(), 1 => junk()].boxed()
}

/// A float argument: values around `range`, extremes, junk.
fn float(range: std::ops::Range<f64>) -> BoxedStrategy<String> {
    prop_oneof![12 => range.prop_map(|x| format!("{x:.4}")), 6 => extreme_float(), 1 => junk()].boxed()
}

const ODD_TEXTS: &[&str] = &[
    "", " ", "a", "Z", "我喜欢", "我喜欢在深夜的星空下伴随着月亮轻轻地想你。", "the cat", "café", "naïve", "🦋", "👩‍👩‍👧",
    "\u{1b}]0;pwned\u{7}", "\u{1b}[31mred\u{1b}[0m", "\u{9b}31m", "\u{1b}[2J\u{1b}[H", "\r", "\t", "\n", "a\nb", "\u{7f}", "\u{85}",
    "\u{202e}abc", "\u{2066}x\u{2069}", "\u{feff}", "\u{200b}", "\u{fffd}", "\u{10ffff}", "-", "--json", "-1", "--help", "<unk>",
    "<pad>", "%s%n", "{}", "\\u{1b}", "'\"", "a\u{301}", "ǅ", "İ",
];

/// Free text: odd strings, random Unicode (no NUL, which no argv can hold),
/// text in a fixture's vocabulary, very long text.
fn text(vocab: &'static str) -> BoxedStrategy<String> {
    let in_vocab = format!("[{vocab}]{{1,40}}");
    prop_oneof![
        3 => select(ODD_TEXTS).prop_map(String::from),
        6 => proptest::string::string_regex(&in_vocab).unwrap(),
        2 => "\\PC{0,30}",
        2 => proptest::collection::vec(any::<char>().prop_filter("argv holds no NUL", |&c| c != '\0'), 0..30)
            .prop_map(|cs| cs.into_iter().collect::<String>()),
        1 => "[\\x01-\\x1f\\x7f-\\u{9f}a]{1,20}",
        1 => (1usize..30_000, proptest::string::string_regex(&in_vocab).unwrap())
            .prop_map(|(n, unit)| unit.chars().cycle().take(n).collect::<String>()),
    ]
    .boxed()
}

/// Comma-separated ids: valid, out of range, negative, huge, junk, long.
fn ids() -> BoxedStrategy<String> {
    let one = prop_oneof![8 => (0u64..30).prop_map(|n| n.to_string()), 2 => extreme_count(), 1 => junk()];
    prop_oneof![
        4 => proptest::collection::vec(one, 1..8).prop_map(|v| v.join(",")),
        1 => (1usize..6000).prop_map(|n| (0..n).map(|i| (i % 7).to_string()).collect::<Vec<_>>().join(",")),
        1 => select(&["", ",", "1,", ",1", "1,,2", "1;2", "1 2", "[1]"][..]).prop_map(String::from),
    ]
    .boxed()
}

/// A model file and the characters its vocabulary holds (for text that traces).
#[derive(Clone, Debug)]
struct ModelFile {
    path: String,
    vocab: &'static str,
}

const EN: &str = " !.acdeghmnorst";
const ZH: &str = "。下亮伴你喜在地夜想我星月欢深爱的着空轻随";

fn model_file() -> BoxedStrategy<ModelFile> {
    let f = files();
    let m = |path: String, vocab: &'static str| ModelFile { path, vocab };
    let models = vec![
        m(fixture("gpt_l1_h1.safetensors"), EN),
        m(fixture("rnn_tanh_l1.safetensors"), EN),
        m(fixture("rnn_relu_l2.safetensors"), EN),
        m(fixture("gpt_l2_h4_zh.safetensors"), ZH),
        m(fixture("rnn_tanh_l2_zh.safetensors"), ZH),
        m(fixture("rnn_book_32_64.safetensors"), EN),
        m(fixture("gpt_hf_save_pretrained/model.safetensors"), EN),
        m(fixture("gpt_original_layout/model.safetensors"), EN),
        m(shipped("toy-gpt.safetensors"), "a-z 。一"),
        m(shipped("toy-rnn.safetensors"), "a-z ."),
        m(shipped("reverse-gpt.safetensors"), "a-j>."),
        m(shipped("book-rnn-32-64.safetensors"), "a-zA-Z .,!?"),
    ];
    // Hugging Face folders (byte-level BPE: any text encodes), those present.
    let hub = ["gpt2_tiny", "gpt2_tiny/model.safetensors", "gpt2_tiny_f16", "gpt2_tiny_bf16", "llama_tiny", "qwen2_tiny_bf16"];
    let models = models
        .into_iter()
        .chain(hub.iter().map(|h| m(fixture(&format!("hub/{h}")), "a-zA-Z .,!?我")))
        .filter(|m| std::path::Path::new(&m.path).exists())
        .collect::<Vec<_>>();
    let models = select(models);
    let not_models = select(vec![
        m(fixture("gpt_l1_h1.expected.safetensors"), EN),
        m(fixture("make_fixtures.py"), EN),
        m(fixture(""), EN),
        m(fixture("missing.safetensors"), EN),
        m(String::new(), EN),
        m("/dev/null".into(), EN),
        m(f.truncated.clone(), EN),
        m(f.hostile_header.clone(), EN),
        m("\u{1b}]0;pwned\u{7}.safetensors".into(), EN),
    ]);
    prop_oneof![4 => models, 1 => not_models].boxed()
}

/// `--flag=value`, or (for a value that cannot look like a flag) `--flag value`.
fn push(args: &mut Vec<String>, flag: &str, value: &str, split: bool) {
    if split && !value.starts_with('-') {
        args.push(flag.into());
        args.push(value.into());
    } else {
        args.push(format!("{flag}={value}"));
    }
}

fn push_opt(args: &mut Vec<String>, flag: &str, value: &Option<String>, split: bool) {
    if let Some(v) = value {
        push(args, flag, v, split);
    }
}

fn model_args(args: &mut Vec<String>, model: &ModelFile, config: &Option<String>, split: bool) {
    push(args, "--model", &model.path, split);
    push_opt(args, "--config", config, split);
}

fn config_file() -> BoxedStrategy<Option<String>> {
    proptest::option::weighted(
        0.15,
        select(vec![
            fixture("gpt_hf_save_pretrained/config.json"),
            fixture("gpt_original_layout/config.json"),
            fixture("gpt_l1_h1.safetensors"),
            "/dev/null".into(),
            fixture(""),
            "missing.json".into(),
            files().text_hostile.clone(),
        ]),
    )
    .boxed()
}

/// The text file of `--task text`.
fn text_file() -> BoxedStrategy<Option<String>> {
    let f = files();
    proptest::option::weighted(
        0.5,
        select(vec![
            f.text_plain.clone(),
            f.text_hostile.clone(),
            f.text_one_char.clone(),
            "/dev/null".into(),
            fixture(""),
            fixture("gpt_l1_h1.safetensors"),
            "missing.txt".into(),
            "\u{1b}[31m.txt".into(),
        ]),
    )
    .boxed()
}

fn task() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(&["reverse", "sort", "induction", "copy", "brackets", "add", "toy", "text"][..]).prop_map(String::from),
        1 => text("a-z"),
    ]
    .boxed()
}

/// What `--output` may be: a fresh temp file (most often), a directory, a
/// missing folder, nothing, a name with an escape sequence.
fn output() -> BoxedStrategy<Option<String>> {
    prop_oneof![
        6 => Just(None),
        1 => select(vec![
            std::env::temp_dir().to_str().unwrap().to_string(),
            "/nonexistent/dir/m.safetensors".into(),
            String::new(),
            "/nonexistent/\u{1b}]0;pwned\u{7}.safetensors".into(),
        ])
        .prop_map(Some),
    ]
    .boxed()
}

fn output_path(given: &Option<String>) -> (String, Option<PathBuf>) {
    match given {
        Some(p) => (p.clone(), None),
        None => {
            let p = temp_path("safetensors");
            (p.to_str().unwrap().to_string(), Some(p))
        }
    }
}

/// Model sizes for `init` and `train`: tiny valid ones, or hostile numbers
/// (any valid huge one is far over the 300 MB budget).
#[derive(Debug, Clone)]
struct Sizes {
    arch: String,
    values: Vec<(&'static str, Option<String>)>,
    nonlinearity: Option<String>,
}

fn sizes() -> BoxedStrategy<Sizes> {
    let small = || select(&[1u64, 1, 2, 2, 4, 4, 8, 16, 0, 3, 6][..]).prop_map(|n| n.to_string());
    let size = move || proptest::option::weighted(0.3, prop_oneof![16 => small(), 3 => extreme_count(), 1 => junk()]);
    (
        prop_oneof![14 => select(&["gpt2", "rnn"][..]).prop_map(String::from), 1 => text("a-z")],
        [size(), size(), size(), size(), size(), size(), size()],
        proptest::option::weighted(0.2, prop_oneof![4 => select(&["tanh", "relu"][..]).prop_map(String::from), 1 => text("a-z")]),
    )
        .prop_map(|(arch, v, nonlinearity)| {
            let names = ["--n-layer", "--n-head", "--n-embd", "--n-positions", "--embed-dim", "--hidden-size", "--num-layers"];
            Sizes { arch, values: names.into_iter().zip(v).collect(), nonlinearity }
        })
        .boxed()
}

fn size_args(args: &mut Vec<String>, s: &Sizes, split: bool) {
    push(args, "--arch", &s.arch, split);
    for (flag, v) in &s.values {
        push_opt(args, flag, v, split);
    }
    push_opt(args, "--nonlinearity", &s.nonlinearity, split);
}

fn cleanup(path: &Option<PathBuf>) {
    if let Some(p) = path {
        let _ = std::fs::remove_file(p);
    }
}

// ---- the properties, one per subcommand ----

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn trace_ends_cleanly(
        (model, input) in model_file().prop_flat_map(|m| {
            let v = m.vocab;
            (Just(m), prop_oneof![3 => text(v).prop_map(|t| ("--text", t)), 2 => ids().prop_map(|i| ("--ids", i))])
        }),
        config in config_file(),
        json in any::<bool>(),
        html in proptest::option::weighted(0.1, select(vec![None, Some("/nonexistent/x.html".to_string())])),
        split in any::<bool>(),
    ) {
        let mut args = vec!["trace".to_string()];
        model_args(&mut args, &model, &config, split);
        push(&mut args, input.0, &input.1, split);
        if json {
            args.push("--json".into());
        }
        let html_path = html.map(|given| given.map(PathBuf::from).unwrap_or_else(|| temp_path("html")));
        if let Some(p) = &html_path {
            push(&mut args, "--html", p.to_str().unwrap(), split);
        }
        check(&args)?;
        cleanup(&html_path);
    }
}

proptest! {
    #![proptest_config(config(400))]

    #[test]
    fn generate_ends_cleanly(
        (model, input) in model_file().prop_flat_map(|m| {
            let v = m.vocab;
            (Just(m), prop_oneof![3 => text(v).prop_map(|t| ("--text", t)), 2 => ids().prop_map(|i| ("--ids", i))])
        }),
        // valid steps up to 60; every valid huge count is longer than any model's maximum (4096)
        steps in proptest::option::weighted(0.9, prop_oneof![2 => count(0..=60), 1 => any::<u64>().prop_map(|n| n.max(5000).to_string())]),
        greedy in any::<bool>(),
        temperature in proptest::option::weighted(0.6, float(0.0..12.0)),
        top_k in proptest::option::weighted(0.4, prop_oneof![count(0..=40), any_count()]),
        top_p in proptest::option::weighted(0.4, float(-0.1..1.1)),
        min_p in proptest::option::weighted(0.4, float(-0.1..1.1)),
        seed in proptest::option::weighted(0.5, any_count()),
        json in any::<bool>(),
        split in any::<bool>(),
    ) {
        let mut args = vec!["generate".to_string()];
        model_args(&mut args, &model, &None, split);
        push(&mut args, input.0, &input.1, split);
        for (flag, v) in [("--steps", &steps), ("--temperature", &temperature), ("--top-k", &top_k), ("--top-p", &top_p), ("--min-p", &min_p), ("--seed", &seed)] {
            push_opt(&mut args, flag, v, split);
        }
        if greedy {
            args.push("--greedy".into());
        }
        if json {
            args.push("--json".into());
        }
        check(&args)?;
    }
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn info_ends_cleanly(model in model_file(), config in config_file(), split in any::<bool>()) {
        let mut args = vec!["info".to_string()];
        model_args(&mut args, &model, &config, split);
        check(&args)?;
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn init_ends_cleanly_and_what_it_writes_loads(
        sizes in sizes(),
        vocab in prop_oneof![
            2 => text("a-z我喜欢").prop_map(|t| ("--vocab-text", t)),
            2 => count(0..=300).prop_map(|n| ("--vocab-size", n)),
        ],
        seed in any_count(),
        title in proptest::option::weighted(0.4, text("a-z")),
        description in proptest::option::weighted(0.3, text("a-z")),
        out in output(),
        split in any::<bool>(),
    ) {
        let (out, temp) = output_path(&out);
        let mut args = vec!["init".to_string()];
        size_args(&mut args, &sizes, split);
        push(&mut args, vocab.0, &vocab.1, split);
        push(&mut args, "--seed", &seed, split);
        push_opt(&mut args, "--title", &title, split);
        push_opt(&mut args, "--description", &description, split);
        push(&mut args, "-o", &out, split);
        let outcome = check(&args)?;
        if outcome.code == Some(0) {
            // What init wrote, info and trace read (metadata escaped on the way out).
            let model = temp.clone().expect("init only succeeds on a fresh temp path");
            let m = model.to_str().unwrap().to_string();
            let read = check(&["info".into(), "--model".into(), m.clone()])?;
            prop_assert_eq!(read.code, Some(0), "{}", read.stderr);
            let traced = check(&["trace".into(), "--model".into(), m, "--ids".into(), "0".into(), "--json".into()])?;
            prop_assert_eq!(traced.code, Some(0), "{}", traced.stderr);
        }
        cleanup(&temp);
    }
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn eval_ends_cleanly(
        (model, task) in prop_oneof![
            // a model with its own task (mostly), or with any other
            3 => select(vec![
                ("toy-rnn", "toy"), ("toy-gpt", "toy"), ("reverse-gpt", "reverse"), ("sort-gpt", "sort"), ("induction-gpt", "copy"),
            ]).prop_map(|(m, t)| (ModelFile { path: shipped(&format!("{m}.safetensors")), vocab: EN }, t.to_string())),
            1 => (model_file(), task()),
        ],
        text_file in text_file(),
        // valid counts up to 20; the extreme ones are refused (10^6 is the most)
        n in proptest::option::weighted(0.8, count(0..=20)),
        seed in proptest::option::weighted(0.5, any_count()),
        json in any::<bool>(),
        split in any::<bool>(),
    ) {
        prop_assume!(n.as_deref().and_then(|n| n.trim().parse::<u64>().ok()).is_none_or(|n| n <= 20 || n > 1_000_000));
        let mut args = vec!["eval".to_string()];
        model_args(&mut args, &model, &None, split);
        push(&mut args, "--task", &task, split);
        push_opt(&mut args, "--text-file", &text_file, split);
        push_opt(&mut args, "--n", &n, split);
        push_opt(&mut args, "--seed", &seed, split);
        if json {
            args.push("--json".into());
        }
        check(&args)?;
    }
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn bench_ends_cleanly(runs in prop_oneof![1 => select(&["1", "2"][..]).prop_map(String::from), 2 => extreme_count(), 1 => junk()], json in any::<bool>()) {
        // Without --json, bench also times a training run to 99% (seconds): only refused counts then.
        let valid = runs.trim().parse::<u64>().is_ok_and(|n| (1..=10_000).contains(&n));
        prop_assume!(json || !valid);
        let mut args = vec!["bench".to_string(), format!("--runs={runs}")];
        if json {
            args.push("--json".into());
        }
        check(&args)?;
    }
}

/// `train` arguments, generated so that every accepted run is short.
#[derive(Debug, Clone)]
struct TrainCase {
    sizes: Sizes,
    task: String,
    text_file: Option<String>,
    steps: Option<String>,
    target_accuracy: Option<String>,
    eval_every: Option<String>,
    eval_n: Option<String>,
    batch_size: Option<String>,
    lr: Option<String>,
    seed: String,
    title: Option<String>,
    out: Option<String>,
}

fn train_case() -> BoxedStrategy<TrainCase> {
    // (steps, target accuracy, eval every): few steps and anything, or a
    // huge count with a target every evaluation reaches, evaluated soon.
    let schedule = prop_oneof![
        3 => (
            prop_oneof![6 => (1u64..=3).prop_map(|n| n.to_string()), 1 => Just("0".to_string()), 1 => junk()],
            proptest::option::weighted(0.4, float(0.0..1.2)),
            proptest::option::weighted(0.4, prop_oneof![count(0..=4), any_count()]),
        ).prop_map(|(s, t, e)| (Some(s), t, e)),
        1 => (
            prop_oneof![select(&["1000000000", "18446744073709551615"][..]).prop_map(String::from), (1_000_000u64..=u64::MAX).prop_map(|n| n.to_string())],
            select(&["0", "-0", "0.0"][..]).prop_map(String::from),
            (1u64..=3).prop_map(|n| n.to_string()),
        ).prop_map(|(s, t, e)| (Some(s), Some(t), Some(e))),
    ];
    // the text task mostly with a text file, the others mostly without
    let task_and_text = task().prop_flat_map(|task| {
        let p = if task == "text" { 0.85 } else { 0.1 };
        (Just(task), proptest::option::weighted(p, text_file().prop_map(|f| f.unwrap_or_else(|| "missing.txt".into()))))
    });
    (
        sizes(),
        task_and_text,
        schedule,
        proptest::option::weighted(0.4, count(1..=20)),
        proptest::option::weighted(0.4, count(1..=8)),
        proptest::option::weighted(0.4, float(0.0..0.1)),
        any_count(),
        proptest::option::weighted(0.3, text("a-z")),
        output(),
    )
        .prop_map(|(sizes, (task, text_file), (steps, target_accuracy, eval_every), eval_n, batch_size, lr, seed, title, out)| TrainCase {
            sizes, task, text_file, steps, target_accuracy, eval_every, eval_n, batch_size, lr, seed, title, out,
        })
        .boxed()
}

/// Valid model sizes above these (but within the budget) train slowly: left out.
fn small_enough(case: &TrainCase) -> bool {
    case.sizes.values.iter().all(|(_, v)| v.as_deref().and_then(|v| v.trim().parse::<u64>().ok()).is_none_or(|n| n <= 6 || n >= 1_000_000_000))
        && case.eval_n.as_deref().and_then(|v| v.trim().parse::<u64>().ok()).is_none_or(|n| n <= 20 || n > 1_000_000)
        && case.batch_size.as_deref().and_then(|v| v.trim().parse::<u64>().ok()).is_none_or(|n| n <= 8 || n >= 1_000_000_000)
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn train_ends_cleanly(case in train_case().prop_filter("valid and slow", small_enough), split in any::<bool>()) {
        let (out, temp) = output_path(&case.out);
        let mut args = vec!["train".to_string()];
        size_args(&mut args, &case.sizes, split);
        push(&mut args, "--task", &case.task, split);
        push_opt(&mut args, "--text-file", &case.text_file, split);
        for (flag, v) in [
            ("--steps", &case.steps), ("--target-accuracy", &case.target_accuracy), ("--eval-every", &case.eval_every),
            ("--eval-n", &case.eval_n), ("--batch-size", &case.batch_size), ("--lr", &case.lr), ("--title", &case.title),
        ] {
            push_opt(&mut args, flag, v, split);
        }
        push(&mut args, "--seed", &case.seed, split);
        push(&mut args, "-o", &out, split);
        let outcome = check(&args)?;
        match (&temp, outcome.code) {
            // A checkpoint written is one `info` reads (a NaN lr once wrote one it rejected).
            (Some(model), Some(0)) => {
                let read = check(&["info".into(), "--model".into(), model.to_str().unwrap().into()])?;
                prop_assert_eq!(read.code, Some(0), "{}", read.stderr);
            }
            (Some(model), _) => prop_assert!(!model.exists(), "{:?} failed but left {}", args, model.display()),
            _ => {}
        }
        cleanup(&temp);
    }
}

/// Small valid runs of every subcommand, the kind a budget can refuse.
fn budgeted_run() -> BoxedStrategy<Vec<String>> {
    let (gpt, rnn, toy) = (fixture("gpt_l2_h4_zh.safetensors"), fixture("rnn_book_32_64.safetensors"), shipped("toy-rnn.safetensors"));
    let out = || temp_path("safetensors").to_str().unwrap().to_string();
    let runs: Vec<Vec<String>> = vec![
        vec!["trace".into(), "--model".into(), gpt.clone(), "--text".into(), "我喜欢".into(), "--json".into()],
        vec!["trace".into(), "--model".into(), rnn.clone(), "--ids".into(), "1,2,3".into()],
        vec!["info".into(), "--model".into(), gpt.clone()],
        vec!["generate".into(), "--model".into(), gpt, "--text".into(), "我".into(), "--steps".into(), "5".into()],
        vec!["generate".into(), "--model".into(), rnn, "--ids".into(), "1".into(), "--steps".into(), "5".into(), "--json".into()],
        vec!["eval".into(), "--model".into(), toy, "--task".into(), "toy".into(), "--n".into(), "5".into()],
        vec!["init".into(), "--arch".into(), "gpt2".into(), "--vocab-size".into(), "50".into(), "--seed".into(), "1".into(), "-o".into(), out()],
        vec!["train".into(), "--arch".into(), "rnn".into(), "--task".into(), "sort".into(), "--steps".into(), "2".into(), "--seed".into(), "1".into(), "-o".into(), out()],
        vec!["bench".into(), "--runs".into(), "1".into(), "--json".into()],
    ];
    select(runs).boxed()
}

fn word() -> BoxedStrategy<String> {
    prop_oneof![
        select(&["trace", "info", "init", "train", "eval", "generate", "bench", "--json", "--model", "--text", "--ids", "--steps", "-o", "--help", "-h", "--version", "help"][..])
            .prop_map(String::from),
        text("a-z"),
        extreme_count(),
        extreme_float(),
        junk(),
    ]
    .boxed()
}

proptest! {
    #![proptest_config(config(150))]

    /// Whatever the memory budget (GLASSWING_MEMORY_BUDGET), small runs of
    /// every subcommand either fit it or say so in one line.
    #[test]
    fn any_budget_ends_cleanly(
        args in budgeted_run(),
        budget in select(&["0", "1", "1000", "1k", "50k", "200k", "1M", "2M", "5M", "20M", "1G", "", "lots", "-1", "1e9", "18446744073709551615", "99999999999999999999G"][..]),
    ) {
        check_with_budget(&args, Some(budget))?;
        if let Some(out) = args.iter().position(|a| a == "-o").map(|i| &args[i + 1]) {
            let _ = std::fs::remove_file(out);
        }
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// Anything at all as the argument list: no subcommand, unknown ones,
    /// flags without values, random words.
    #[test]
    fn any_argument_list_ends_cleanly(words in proptest::collection::vec(word(), 0..6)) {
        // `bench` alone runs the full benchmark (seconds): skip that one valid list.
        prop_assume!(!(words.first().is_some_and(|w| w == "bench") && words.iter().all(|w| w == "bench" || w == "--json")));
        check(&words)?;
    }
}
