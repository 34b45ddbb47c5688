//! The models shipped in www/models/: every one in index.json loads, is under
//! 500 KB, and every trained one still scores what its metadata records on
//! freshly generated held-out data (reverse and sort at least 99% exact match).

use std::path::PathBuf;

use glasswing::train::evaluate;
use glasswing::train::tasks::Task;
use glasswing::Checkpoint;

fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/models")
}

fn index() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(models_dir().join("index.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_listed_model_loads_and_is_small() {
    for entry in index() {
        let file = entry["file"].as_str().unwrap();
        let path = models_dir().join(file);
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size < 500 * 1024, "{file} is {size} bytes");
        let ckpt = Checkpoint::open(&path, None).unwrap();
        assert_eq!(entry["arch"], ckpt.model.arch().name(), "{file}");
        assert!(entry["title"].as_str().is_some_and(|t| !t.is_empty()) && entry["description"].is_string());
        assert!(ckpt.tokenizer.is_some(), "{file}: the page needs a vocabulary");
    }
}

#[test]
fn trained_models_keep_their_recorded_accuracy() {
    let mut checked = vec![];
    for entry in index() {
        let file = entry["file"].as_str().unwrap();
        let ckpt = Checkpoint::open(&models_dir().join(file), None).unwrap();
        let Some(task) = ckpt.metadata.get("task") else { continue };
        let recorded: serde_json::Value = serde_json::from_str(&ckpt.metadata["metrics"]).unwrap();
        let task = Task::parse(task, None).unwrap();
        assert_eq!(ckpt.tokenizer.as_ref(), Some(&task.tokenizer()), "{file}: vocabulary is the task's");
        // A seed no training run used: fresh examples, not the ones recorded.
        let fresh = evaluate(&ckpt.model, task.held_out(500, 777_001));
        let (exact, token) = (recorded["exact_match"].as_f64().unwrap() as f32, recorded["token_accuracy"].as_f64().unwrap() as f32);
        eprintln!("{file}: fresh exact {:.3} (recorded {exact:.3}), token {:.3} (recorded {token:.3})", fresh.exact_match, fresh.token_accuracy);
        assert!((fresh.token_accuracy - token).abs() < 0.03, "{file}: token accuracy {} vs recorded {token}", fresh.token_accuracy);
        assert!(fresh.exact_match > exact - 0.05, "{file}: exact match {} vs recorded {exact}", fresh.exact_match);
        if matches!(task, Task::Reverse | Task::Sort) {
            assert!(fresh.exact_match >= 0.99, "{file}: {} exact match on fresh held-out data", fresh.exact_match);
        }
        checked.push(task.name());
    }
    for required in ["reverse", "sort", "induction", "toy"] {
        assert!(checked.contains(&required), "no shipped {required} model");
    }
}
