//! Seeded task generators. Each example is a string whose first part is the
//! question and whose rest is scored; the held-out split draws from another
//! seed. Char-level, so every task's vocabulary is a set of characters.
//!
//! - `reverse`  `cab>bac.`     letters a-j, 3 to 8 of them
//! - `sort`     `3141>1134.`   digits, 3 to 8 of them
//! - `induction` `qxmw|qxmw.`  a random sequence repeated: the second half is
//!   predictable only by looking back, where induction heads form
//! - `brackets` `(()(>1212.`   the nesting depth after each bracket
//! - `add`      `47+385=432.`  sums of numbers up to 3 digits
//! - `toy`      sentences of a small grammar in English and Chinese, with
//!   subject-verb agreement (English), measure words (Chinese) and nesting
//! - `chapter`  the book chapter's sentences: 我爱你。, 我爱你，你也爱我。 and
//!   我喜欢在深夜的星空下伴随着月亮轻轻地想你。 with variants, built so that
//!   predicting them takes looking back in four different ways
//! - `text`     windows of any text the user gives; held out: its last tenth
//!   (when the text is long enough to spare one, see `Task::held_out_text`)

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::tokenizer::Tokenizer;
use crate::train::Example;

/// Held-out examples come from `seed ^ HELD_OUT_SALT`, never the training stream.
pub const HELD_OUT_SALT: u64 = 0x5eed_0f_4e1d_0u64;

const LETTERS: &str = "abcdefghij";
const DIGITS: &str = "0123456789";
const INDUCTION: &str = "abcdefghijklmnopqrstuvwxyz";
const TEXT_WINDOW: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    Reverse,
    Sort,
    Induction,
    Brackets,
    Add,
    Toy,
    Chapter,
    Text(String),
}

pub const TASK_NAMES: [&str; 8] = ["reverse", "sort", "induction", "brackets", "add", "toy", "chapter", "text"];

impl Task {
    /// `text` is required for (and only used by) the `text` task.
    pub fn parse(name: &str, text: Option<&str>) -> Result<Self> {
        Ok(match name {
            "reverse" => Task::Reverse,
            "sort" => Task::Sort,
            "induction" | "copy" => Task::Induction,
            "brackets" => Task::Brackets,
            "add" => Task::Add,
            "toy" => Task::Toy,
            "chapter" => Task::Chapter,
            "text" => match text {
                Some(t) if t.chars().count() >= 2 => Task::Text(t.to_string()),
                _ => return Err(Error::TextTooShort { min: 2 }),
            },
            other => return Err(Error::Config(format!("unknown task {other:?} (one of {})", TASK_NAMES.join(", ")))),
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Task::Reverse => "reverse",
            Task::Sort => "sort",
            Task::Induction => "induction",
            Task::Brackets => "brackets",
            Task::Add => "add",
            Task::Toy => "toy",
            Task::Chapter => "chapter",
            Task::Text(_) => "text",
        }
    }

    /// The characters this task writes, as a tokenizer.
    pub fn tokenizer(&self) -> Tokenizer {
        let alphabet = match self {
            Task::Reverse => format!("{LETTERS}>."),
            Task::Sort => format!("{DIGITS}>."),
            Task::Induction => format!("{INDUCTION}|."),
            Task::Brackets => format!("(){DIGITS}>."),
            Task::Add => format!("{DIGITS}+=."),
            Task::Toy => toy::ALPHABET.concat(),
            Task::Chapter => chapter::ALPHABET.into(),
            Task::Text(text) => text.clone(),
        };
        Tokenizer::from_text(&alphabet).expect("task alphabets are non-empty")
    }

    /// The longest example in tokens: the position table a GPT needs.
    pub fn max_len(&self) -> usize {
        match self {
            Task::Reverse | Task::Sort => 2 * 8 + 2,
            Task::Induction => 2 * 12 + 2,
            Task::Brackets => 2 * 12 + 2,
            Task::Add => 3 + 1 + 3 + 1 + 4 + 1,
            Task::Toy => toy::MAX_CHARS,
            Task::Chapter => chapter::MAX_CHARS,
            Task::Text(text) => text.chars().count().min(TEXT_WINDOW),
        }
    }

    /// One training example: the string, and the char index where scoring starts.
    pub fn sample_text(&self, rng: &mut ChaCha8Rng) -> (String, usize) {
        // A random string of `min..=max` characters drawn from `alphabet`.
        let pick = |rng: &mut ChaCha8Rng, alphabet: &str, min: usize, max: usize| -> String {
            let chars: Vec<char> = alphabet.chars().collect();
            let n = rng.random_range(min..=max);
            (0..n).map(|_| chars[rng.random_range(0..chars.len())]).collect()
        };
        match self {
            Task::Reverse => {
                let q = pick(rng, LETTERS, 3, 8);
                let a: String = q.chars().rev().collect();
                (format!("{q}>{a}."), q.len() + 1)
            }
            Task::Sort => {
                let q = pick(rng, DIGITS, 3, 8);
                let mut a: Vec<char> = q.chars().collect();
                a.sort_unstable();
                (format!("{q}>{}.", a.into_iter().collect::<String>()), q.len() + 1)
            }
            Task::Induction => {
                let q = pick(rng, INDUCTION, 4, 12);
                (format!("{q}|{q}."), q.len() + 1)
            }
            Task::Brackets => {
                let n = rng.random_range(4..=12);
                let (mut q, mut depths, mut depth) = (String::new(), String::new(), 0u32);
                for _ in 0..n {
                    // Open when at depth 0 or at random (below 9), else close.
                    if depth == 0 || (depth < 9 && rng.random_bool(0.5)) {
                        depth += 1;
                        q.push('(');
                    } else {
                        depth -= 1;
                        q.push(')');
                    }
                    depths.push(char::from_digit(depth, 10).expect("depth < 10"));
                }
                (format!("{q}>{depths}."), n + 1)
            }
            Task::Add => {
                let a = rng.random_range(0..1000u32);
                let b = rng.random_range(0..1000u32);
                let q = format!("{a}+{b}=");
                let len = q.len();
                (format!("{q}{}.", a + b), len)
            }
            Task::Toy => (toy::sentence(rng), 1),
            Task::Chapter => (chapter::sentence(rng), 1),
            Task::Text(text) => {
                let chars: Vec<char> = text.chars().collect();
                let held = held_out_chars(chars.len());
                (window(&chars[..chars.len() - held], rng), 1)
            }
        }
    }

    /// A held-out example's text: as `sample_text`, except that a long
    /// enough `text` task draws its windows from the part training never sees
    /// (what to show as "a held-out example", with an rng seeded from
    /// `seed ^ HELD_OUT_SALT`).
    pub fn held_out_text(&self, rng: &mut ChaCha8Rng) -> (String, usize) {
        match self {
            Task::Text(text) => {
                let chars: Vec<char> = text.chars().collect();
                let held = held_out_chars(chars.len());
                if held == 0 {
                    return self.sample_text(rng);
                }
                (window(&chars[chars.len() - held..], rng), 1)
            }
            _ => self.sample_text(rng),
        }
    }

    /// How many characters at the end of the `text` task's text are held out
    /// (never trained on); 0 for a text too short to spare any, whose
    /// held-out windows are then drawn from the training text itself.
    pub fn held_out_text_chars(&self) -> usize {
        match self {
            Task::Text(text) => held_out_chars(text.chars().count()),
            _ => 0,
        }
    }

    fn example(text: &str, answer_start: usize, tokenizer: &Tokenizer) -> Example {
        let tokens = tokenizer.encode(text).expect("a task writes only its own alphabet");
        let scored = (0..tokens.len() - 1).map(|i| i + 1 >= answer_start).collect();
        Example { tokens, scored }
    }

    pub fn sample(&self, rng: &mut ChaCha8Rng, tokenizer: &Tokenizer) -> Example {
        let (text, answer_start) = self.sample_text(rng);
        Self::example(&text, answer_start, tokenizer)
    }

    /// `n` held-out examples, made one at a time as they are read: drawn
    /// from a seed the training stream never uses (and, for a long enough
    /// `text`, from its held-out end).
    pub fn held_out(&self, n: usize, seed: u64) -> impl Iterator<Item = Example> + '_ {
        let tokenizer = self.tokenizer();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ HELD_OUT_SALT);
        (0..n).map(move |_| {
            let (text, answer_start) = self.held_out_text(&mut rng);
            Self::example(&text, answer_start, &tokenizer)
        })
    }
}

/// A `text` task of at least this many characters holds out its last tenth
/// (www/js/train/options.js mirrors the rule for the page's note).
pub const TEXT_HOLD_OUT_MIN: usize = 200;

fn held_out_chars(n: usize) -> usize {
    if n >= TEXT_HOLD_OUT_MIN { n / 10 } else { 0 }
}

/// A random window of at most `TEXT_WINDOW` characters of `chars` (non-empty).
fn window(chars: &[char], rng: &mut ChaCha8Rng) -> String {
    let n = chars.len().min(TEXT_WINDOW);
    let start = rng.random_range(0..=chars.len() - n);
    chars[start..start + n].iter().collect()
}

/// A small probabilistic grammar. English: number agreement between subject
/// and verb, across an optional relative clause ("the cat that the dogs see
/// runs."). Chinese: the measure word agrees with the noun (一只猫, 一条狗,
/// 一本书), with an optional 的-clause ("我看见的那只猫跑了。"), and the
/// chapter's sentence with its variants ("我喜欢在深夜的星空下伴随着月亮轻轻地想你。").
mod toy {
    use rand::Rng;
    use rand_chacha::ChaCha8Rng;

    pub const MAX_CHARS: usize = 48;
    pub const ALPHABET: [&str; 4] =
        ["abcdefghijklmnopqrstuvwxyz .", "我你他看见喜欢的那一只条本猫狗鸟鱼书跑了睡叫很小大。", "两三", "在深夜里星空下伴随着月亮轻地想"];

    const NOUNS: [(&str, &str); 3] = [("cat", "cats"), ("dog", "dogs"), ("bird", "birds")];
    const VERBS_T: [(&str, &str); 3] = [("sees", "see"), ("likes", "like"), ("hears", "hear")];
    const VERBS_I: [(&str, &str); 3] = [("runs", "run"), ("sleeps", "sleep"), ("sings", "sing")];
    /// Chinese nouns with the measure word each takes.
    const ZH_NOUNS: [(&str, &str); 5] = [("猫", "只"), ("狗", "条"), ("鸟", "只"), ("鱼", "条"), ("书", "本")];
    const ZH_SUBJECTS: [&str; 3] = ["我", "你", "他"];
    const ZH_VERBS: [&str; 2] = ["看见", "喜欢"];
    const ZH_NUMBERS: [&str; 4] = ["一", "两", "三", "那"];

    fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
        &items[rng.random_range(0..items.len())]
    }

    fn noun_phrase(rng: &mut ChaCha8Rng, plural: bool) -> String {
        let (sg, pl) = pick(rng, &NOUNS);
        format!("the {}", if plural { pl } else { sg })
    }

    fn english(rng: &mut ChaCha8Rng) -> String {
        let plural = rng.random_bool(0.5);
        let mut s = noun_phrase(rng, plural);
        if rng.random_bool(0.4) {
            // Relative clause with its own subject: the main verb must skip over it.
            let inner_plural = rng.random_bool(0.5);
            let (sg, pl) = pick(rng, &VERBS_T);
            s += &format!(" that {} {}", noun_phrase(rng, inner_plural), if inner_plural { pl } else { sg });
        }
        if rng.random_bool(0.5) {
            let (sg, pl) = pick(rng, &VERBS_T);
            let object_plural = rng.random_bool(0.5);
            s += &format!(" {} {}.", if plural { pl } else { sg }, noun_phrase(rng, object_plural));
        } else {
            let (sg, pl) = pick(rng, &VERBS_I);
            s += &format!(" {}.", if plural { pl } else { sg });
        }
        s
    }

    fn zh_noun_phrase(rng: &mut ChaCha8Rng) -> String {
        let (noun, measure) = pick(rng, &ZH_NOUNS);
        format!("{}{measure}{noun}", pick(rng, &ZH_NUMBERS))
    }

    /// The chapter's sentence and its neighbours: 我喜欢在深夜的星空下伴随着月亮轻轻地想你。
    fn chinese_night(rng: &mut ChaCha8Rng) -> String {
        let (subject, object) = (pick(rng, &ZH_SUBJECTS), pick(rng, &ZH_SUBJECTS));
        let when = pick(rng, &["深夜", "夜里"]);
        let (sky, companion) = if rng.random_bool(0.5) { ("星空", "月亮") } else { ("月亮", "星空") };
        format!("{subject}喜欢在{when}的{sky}下伴随着{companion}轻轻地想{object}。")
    }

    fn chinese(rng: &mut ChaCha8Rng) -> String {
        let subject = pick(rng, &ZH_SUBJECTS);
        if rng.random_bool(0.2) {
            return chinese_night(rng);
        }
        if rng.random_bool(0.3) {
            // 的-clause: "我看见的那只猫跑了。"
            let (noun, measure) = pick(rng, &ZH_NOUNS);
            let ending = if rng.random_bool(0.5) { "跑了" } else { "很小" };
            format!("{subject}{}的那{measure}{noun}{ending}。", pick(rng, &ZH_VERBS))
        } else {
            format!("{subject}{}{}。", pick(rng, &ZH_VERBS), zh_noun_phrase(rng))
        }
    }

    pub fn sentence(rng: &mut ChaCha8Rng) -> String {
        if rng.random_bool(0.5) { english(rng) } else { chinese(rng) }
    }
}

/// The book chapter's sentences, made so that a small GPT must look back in
/// four different ways to predict them (each a job a head can take):
///
/// - 我爱你。 and 我爱你，你也爱我。 (any two different people): after the comma
///   the one loved comes first, then the lover: look at who was named;
/// - 我喜欢在深夜的星空下伴随着月亮轻轻地想你。 with its variants: 星空 and 月亮
///   trade places, and after 伴随着 comes the one not named yet (look back
///   at the first); 深夜 or 夜里 (at 夜, the previous character decides); an
///   optional 最, 也 or 总 before 喜欢, so positions shift; and who is
///   thought of follows from who speaks (我 ↔ 你, 他 ↔ 她): at 想, look at
///   the first character.
mod chapter {
    use rand::Rng;
    use rand_chacha::ChaCha8Rng;

    pub const MAX_CHARS: usize = 24;
    pub const ALPHABET: &str = "我你他她爱，也。最总喜欢在深夜里的星空下伴随着月亮轻地想";

    const PEOPLE: [&str; 4] = ["我", "你", "他", "她"];

    fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
        &items[rng.random_range(0..items.len())]
    }

    /// Whom the speaker thinks of: 我 ↔ 你, 他 ↔ 她.
    pub fn partner(who: &str) -> &'static str {
        match who {
            "我" => "你",
            "你" => "我",
            "他" => "她",
            _ => "他",
        }
    }

    fn love(rng: &mut ChaCha8Rng) -> String {
        let a = rng.random_range(0..PEOPLE.len());
        let b = (a + rng.random_range(1..PEOPLE.len())) % PEOPLE.len();
        let (s, o) = (PEOPLE[a], PEOPLE[b]);
        if rng.random_bool(0.5) { format!("{s}爱{o}。") } else { format!("{s}爱{o}，{o}也爱{s}。") }
    }

    fn night(rng: &mut ChaCha8Rng) -> String {
        let s = pick(rng, &PEOPLE);
        let how = pick(rng, &["", "", "最", "也", "总"]);
        let when = pick(rng, &["深夜", "夜里"]);
        let (first, second) = if rng.random_bool(0.5) { ("星空", "月亮") } else { ("月亮", "星空") };
        let softly = if rng.random_bool(0.75) { "轻轻地" } else { "" };
        format!("{s}{how}喜欢在{when}的{first}下伴随着{second}{softly}想{}。", partner(s))
    }

    pub fn sentence(rng: &mut ChaCha8Rng) -> String {
        if rng.random_bool(0.5) { love(rng) } else { night(rng) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_writes_only_its_alphabet_within_max_len() {
        for name in TASK_NAMES {
            let task = Task::parse(name, Some("hello, world. 你好，世界。")).unwrap();
            let tok = task.tokenizer();
            let mut rng = ChaCha8Rng::seed_from_u64(1);
            for _ in 0..500 {
                let ex = task.sample(&mut rng, &tok);
                assert!(ex.tokens.len() <= task.max_len(), "{name}: {} tokens", ex.tokens.len());
                assert!(ex.num_scored() > 0, "{name}: nothing scored");
            }
        }
    }

    #[test]
    fn answers_are_right() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let (s, start) = Task::Reverse.sample_text(&mut rng);
        let (q, a) = s.split_once('>').unwrap();
        assert_eq!(a.trim_end_matches('.'), q.chars().rev().collect::<String>());
        assert_eq!(start, q.len() + 1);
        let (s, _) = Task::Add.sample_text(&mut rng);
        let (q, a) = s.split_once('=').unwrap();
        let (x, y) = q.split_once('+').unwrap();
        assert_eq!(a.trim_end_matches('.').parse::<u32>().unwrap(), x.parse::<u32>().unwrap() + y.parse::<u32>().unwrap());
        let (s, _) = Task::Brackets.sample_text(&mut rng);
        let (q, a) = s.split_once('>').unwrap();
        let mut depth = 0i32;
        for (c, d) in q.chars().zip(a.chars()) {
            depth += if c == '(' { 1 } else { -1 };
            assert_eq!(d.to_digit(10).unwrap() as i32, depth);
        }
    }

    #[test]
    fn seeded_and_held_out_differs_from_training() {
        let train: Vec<_> = {
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            (0..50).map(|_| Task::Sort.sample_text(&mut rng).0).collect()
        };
        let again: Vec<_> = {
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            (0..50).map(|_| Task::Sort.sample_text(&mut rng).0).collect()
        };
        assert_eq!(train, again);
        let held: Vec<String> = Task::Sort.held_out(50, 7).map(|e| Task::Sort.tokenizer().decode(&e.tokens)).collect();
        assert_ne!(train, held);
    }

    #[test]
    fn toy_grammar_agrees() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..200 {
            let s = Task::Toy.sample_text(&mut rng).0;
            if s.starts_with("the ") && !s.contains(" that ") {
                let words: Vec<&str> = s.trim_end_matches('.').split(' ').collect();
                let plural = words[1].ends_with('s');
                let verb_plural = !words[2].ends_with('s');
                assert_eq!(plural, verb_plural, "{s}");
            }
        }
    }

    #[test]
    fn chapter_sentences() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..2000 {
            let s = Task::Chapter.sample_text(&mut rng).0;
            assert!(s.ends_with('。'), "{s}");
            let first: String = s.chars().take(1).collect();
            if s.contains('想') {
                let thought: String = s.chars().rev().nth(1).into_iter().collect();
                assert_eq!(thought, chapter::partner(&first), "{s}");
                assert_eq!(s.contains("的星空下"), s.contains("伴随着月亮"), "{s}");
            } else if let Some((a, b)) = s.trim_end_matches('。').split_once('，') {
                let (s0, o0) = a.split_once('爱').unwrap();
                assert_eq!(b, format!("{o0}也爱{s0}"));
                assert_ne!(s0, o0);
            }
            seen.insert(s);
        }
        assert!(seen.contains("我喜欢在深夜的星空下伴随着月亮轻轻地想你。"));
        assert!(seen.contains("我爱你。") && seen.contains("我爱你，你也爱我。"));
    }

    #[test]
    fn a_long_text_holds_out_its_end() {
        // Short: nothing to spare, held-out windows come from the training text.
        let short = Task::parse("text", Some("我爱你。你爱我。")).unwrap();
        assert_eq!(short.held_out_text_chars(), 0);
        let text: String = (0..300).map(|i| char::from(b'a' + (i % 26) as u8)).collect::<String>() + "0123456789";
        let long = Task::parse("text", Some(&text)).unwrap();
        assert_eq!(long.held_out_text_chars(), 31);
        let tail: String = text.chars().skip(text.chars().count() - 31).collect();
        let head: String = text.chars().take(text.chars().count() - 31).collect();
        let tok = long.tokenizer();
        for ex in long.held_out(20, 1) {
            assert!(tail.contains(&tok.decode(&ex.tokens)));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..200 {
            assert!(head.contains(&long.sample_text(&mut rng).0));
        }
        assert_eq!(held_out_chars(TEXT_HOLD_OUT_MIN - 1), 0);
        assert_eq!(held_out_chars(TEXT_HOLD_OUT_MIN), TEXT_HOLD_OUT_MIN / 10);
    }
}
