//! Choosing the next token: temperature, then top-k, top-p and min-p filters
//! (Hugging Face's order), then a seeded draw, or greedy. Every intermediate
//! distribution is kept so the page can show what each filter did.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const MIN_TEMPERATURE: f32 = 0.05;
pub const MAX_TEMPERATURE: f32 = 10.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SamplerSettings {
    pub greedy: bool,
    pub temperature: f32,
    pub top_k: Option<usize>,
    pub top_p: Option<f32>,
    pub min_p: Option<f32>,
    pub seed: u64,
}

impl Default for SamplerSettings {
    fn default() -> Self {
        Self { greedy: false, temperature: 1.0, top_k: None, top_p: None, min_p: None, seed: 0 }
    }
}

impl SamplerSettings {
    pub fn validate(&self) -> Result<()> {
        // f32 limits by their shortest decimal form, so the message says 0.05, not 0.0500000007.
        let decimal = |x: f32| x.to_string().parse::<f64>().unwrap_or(x as f64);
        Error::check_range("temperature", self.temperature, decimal(MIN_TEMPERATURE), decimal(MAX_TEMPERATURE))?;
        if let Some(k) = self.top_k {
            Error::check_at_least("top_k", k, 1)?;
        }
        if let Some(p) = self.top_p.filter(|&p| p <= 0.0 || p.is_nan()) {
            // top_p keeps the smallest set whose mass reaches p: 0 would keep nothing.
            return Err(Error::OutOfRange { field: "top_p".into(), value: p.to_string(), min: 0.0, max: 1.0 });
        }
        if let Some(p) = self.top_p {
            Error::check_range("top_p", p, 0.0, 1.0)?;
        }
        if let Some(p) = self.min_p {
            Error::check_range("min_p", p, 0.0, 1.0)?;
        }
        Ok(())
    }
}

/// One choice and the distributions on the way to it, each [V] and summing to 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub id: usize,
    pub raw: Vec<f32>,
    pub after_temperature: Vec<f32>,
    pub after_top_k: Vec<f32>,
    pub after_top_p: Vec<f32>,
    /// The distribution actually sampled from (after min-p).
    pub probs: Vec<f32>,
}

/// A seeded sampler: the same settings and seed give the same choices.
#[derive(Debug, Clone)]
pub struct Sampler {
    pub settings: SamplerSettings,
    rng: ChaCha8Rng,
}

impl Sampler {
    pub fn new(settings: SamplerSettings) -> Result<Self> {
        settings.validate()?;
        let rng = ChaCha8Rng::seed_from_u64(settings.seed);
        Ok(Self { settings, rng })
    }

    /// Filters `raw` (a distribution) and draws from the result.
    pub fn choose(&mut self, raw: &[f32]) -> Choice {
        let s = &self.settings;
        let after_temperature = with_temperature(raw, s.temperature);
        let after_top_k = match s.top_k {
            Some(k) => top_k(&after_temperature, k),
            None => after_temperature.clone(),
        };
        let after_top_p = match s.top_p {
            Some(p) => top_p(&after_top_k, p),
            None => after_top_k.clone(),
        };
        let probs = match s.min_p {
            Some(p) => min_p(&after_top_p, p),
            None => after_top_p.clone(),
        };
        // The draw happens even when greedy, so switching modes keeps later draws aligned.
        let u: f32 = self.rng.random();
        let id = if s.greedy { argmax(&probs) } else { draw(&probs, u) };
        Choice { id, raw: raw.to_vec(), after_temperature, after_top_k, after_top_p, probs }
    }
}

pub fn argmax(p: &[f32]) -> usize {
    p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0))).map_or(0, |(i, _)| i)
}

/// p^(1/T) renormalised, computed in log space so T = 0.05 cannot overflow
/// and T = 10 cannot lose the ordering.
pub fn with_temperature(p: &[f32], temperature: f32) -> Vec<f32> {
    let logits: Vec<f32> = p.iter().map(|&x| x.ln() / temperature).collect(); // ln 0 = -inf stays -inf
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut out: Vec<f32> = logits.iter().map(|&l| if l == f32::NEG_INFINITY { 0.0 } else { (l - max).exp() }).collect();
    normalise(&mut out);
    out
}

/// Keeps the `k` most likely tokens (ties broken by lower id).
pub fn top_k(p: &[f32], k: usize) -> Vec<f32> {
    let order = ranked(p);
    let mut out = vec![0.0; p.len()];
    for &i in order.iter().take(k) {
        out[i] = p[i];
    }
    normalise(&mut out);
    out
}

/// Keeps the smallest set of most likely tokens whose mass reaches `mass`.
pub fn top_p(p: &[f32], mass: f32) -> Vec<f32> {
    let mut out = vec![0.0; p.len()];
    let mut total = 0.0;
    for i in ranked(p) {
        if total >= mass || p[i] == 0.0 {
            break;
        }
        out[i] = p[i];
        total += p[i];
    }
    normalise(&mut out);
    out
}

/// Keeps tokens at least `ratio` times as likely as the most likely one.
pub fn min_p(p: &[f32], ratio: f32) -> Vec<f32> {
    let threshold = ratio * p.iter().copied().fold(0.0, f32::max);
    let mut out: Vec<f32> = p.iter().map(|&x| if x >= threshold { x } else { 0.0 }).collect();
    normalise(&mut out);
    out
}

/// Inverse-CDF draw with `u` in [0, 1); never picks a zero-probability token.
fn draw(p: &[f32], u: f32) -> usize {
    let mut acc = 0.0;
    let mut last = argmax(p);
    for (i, &x) in p.iter().enumerate() {
        if x > 0.0 {
            acc += x;
            last = i;
            if u < acc {
                return i;
            }
        }
    }
    last // rounding left u above the total: the last nonzero token
}

fn ranked(p: &[f32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]).then(a.cmp(&b)));
    order
}

fn normalise(p: &mut [f32]) {
    let sum: f32 = p.iter().sum();
    if sum > 0.0 && sum.is_finite() {
        p.iter_mut().for_each(|x| *x /= sum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: [f32; 5] = [0.5, 0.2, 0.15, 0.1, 0.05];

    fn sums_to_one(p: &[f32]) -> bool {
        (p.iter().sum::<f32>() - 1.0).abs() < 1e-5 && p.iter().all(|x| x.is_finite() && *x >= 0.0)
    }

    #[test]
    fn temperature_is_stable_at_both_ends() {
        let tiny = [1e-30f32, 0.0, 1.0 - 1e-30, 1e-38];
        for t in [MIN_TEMPERATURE, 0.1, 1.0, 3.0, MAX_TEMPERATURE] {
            let q = with_temperature(&P, t);
            assert!(sums_to_one(&q), "T={t}: {q:?}");
            let q = with_temperature(&tiny, t);
            assert!(sums_to_one(&q), "T={t}: {q:?}");
            assert_eq!(q[1], 0.0, "a zero stays zero");
        }
        assert!(with_temperature(&P, MIN_TEMPERATURE)[0] > 0.999);
        let flat = with_temperature(&P, MAX_TEMPERATURE);
        assert!(flat[0] - flat[4] < 0.1 && flat[0] > flat[4]);
        assert_eq!(with_temperature(&P, 1.0).iter().zip(P).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max) < 1e-6, true);
    }

    #[test]
    fn filters_keep_what_they_should() {
        assert_eq!(top_k(&P, 2), vec![0.5 / 0.7, 0.2 / 0.7, 0.0, 0.0, 0.0]);
        let q = top_p(&P, 0.8); // 0.5 + 0.2 < 0.8, + 0.15 reaches it
        assert!(q[2] > 0.0 && q[3] == 0.0 && sums_to_one(&q));
        let q = min_p(&P, 0.3); // threshold 0.15
        assert!(q[2] > 0.0 && q[3] == 0.0 && sums_to_one(&q));
        assert_eq!(top_p(&P, 0.01).iter().filter(|&&x| x > 0.0).count(), 1, "always keeps one");
    }

    #[test]
    fn the_same_seed_gives_the_same_draws() {
        let settings = SamplerSettings { seed: 9, temperature: 1.5, top_k: Some(4), ..Default::default() };
        let draws = |s: &SamplerSettings| {
            let mut sampler = Sampler::new(s.clone()).unwrap();
            (0..50).map(|_| sampler.choose(&P).id).collect::<Vec<_>>()
        };
        assert_eq!(draws(&settings), draws(&settings));
        assert!(draws(&settings).iter().all(|&id| id < 4), "top-k 4 never draws the fifth");
        assert_ne!(draws(&settings), draws(&SamplerSettings { seed: 10, ..settings.clone() }));
        let greedy = SamplerSettings { greedy: true, ..settings };
        assert!(draws(&greedy).iter().all(|&id| id == 0));
    }

    #[test]
    fn draws_follow_the_distribution() {
        let mut sampler = Sampler::new(SamplerSettings { seed: 1, ..Default::default() }).unwrap();
        let mut counts = [0usize; 5];
        for _ in 0..20_000 {
            counts[sampler.choose(&P).id] += 1;
        }
        for (c, p) in counts.iter().zip(P) {
            assert!((*c as f32 / 20_000.0 - p).abs() < 0.015, "{counts:?}");
        }
    }

    #[test]
    fn bad_settings_are_errors() {
        for s in [
            SamplerSettings { temperature: 0.0, ..Default::default() },
            SamplerSettings { temperature: 11.0, ..Default::default() },
            SamplerSettings { temperature: f32::NAN, ..Default::default() },
            SamplerSettings { top_k: Some(0), ..Default::default() },
            SamplerSettings { top_p: Some(0.0), ..Default::default() },
            SamplerSettings { min_p: Some(1.5), ..Default::default() },
        ] {
            assert!(Sampler::new(s.clone()).is_err(), "{s:?}");
        }
    }
}
