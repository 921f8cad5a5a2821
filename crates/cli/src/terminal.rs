//! What the application tells the user beside the answers: warnings, and an
//! import's progress.

use annals_app::{Observer, Stage, Warning};

/// What the application tells the user on the side: warnings on standard
/// error (with `--json`, each as one JSON line `{"warning": message}`),
/// and an import's stage on a spinner there, drawn only when it is a
/// terminal.
pub struct Terminal {
    progress: indicatif::ProgressBar,
    json: bool,
}

impl Terminal {
    pub fn new(json: bool) -> Terminal {
        let progress = indicatif::ProgressBar::with_draw_target(
            None,
            indicatif::ProgressDrawTarget::stderr_with_hz(4),
        );
        progress.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .expect("a valid template"),
        );
        Terminal { progress, json }
    }
}

impl Observer for Terminal {
    fn warn(&self, warning: &Warning) {
        self.progress.suspend(|| match warning {
            _ if self.json => {
                let text = warning.to_string();
                let text = text.strip_prefix("warning: ").unwrap_or(&text);
                eprintln!("{}", serde_json::json!({ "warning": text }));
            }
            Warning::LeftOut(_) => eprintln!("annals export: {warning}"),
            _ => eprintln!("annals: {warning}"),
        });
    }

    fn stage(&self, stage: Stage<'_>) {
        let message = match stage {
            Stage::Checking(name) => {
                self.progress.enable_steady_tick(std::time::Duration::from_millis(250));
                format!("checking {name}")
            }
            Stage::ReadingSnapshot => "reading the snapshot".to_string(),
            Stage::Storing(events) => format!("storing {events} events"),
            Stage::UpdatingSnapshot => "updating the snapshot".to_string(),
            Stage::Done => return self.progress.finish_and_clear(),
            _ => return,
        };
        self.progress.set_message(message);
    }
}
