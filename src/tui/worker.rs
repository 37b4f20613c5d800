//! Background assessment of the cohort: a thread with its own read-only connection computes each patient's latest categories and sends them to the run loop.

use super::data::{RowAssessment, assess_row};
use crate::store::{Access, Store};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};

/// One patient's result: position in the cohort, identifier, assessment or error text.
pub type Message = (usize, String, Result<RowAssessment, String>);

/// A running (or finished) background assessment. Dropping it stops the thread at
/// its next patient.
pub struct Worker {
    receiver: Receiver<Message>,
    /// Patients to assess.
    pub total: usize,
    /// Patients assessed so far.
    pub done: usize,
    finished: bool,
}

impl Worker {
    /// Starts assessing `codes` (in cohort order) from the database at `db`.
    pub fn spawn(db: PathBuf, codes: Vec<String>) -> Worker {
        let (sender, receiver) = mpsc::channel();
        let total = codes.len();
        std::thread::spawn(move || {
            let store = match Store::open(&db, Access::ReadOnly) {
                Ok(store) => store,
                Err(e) => {
                    let _ = sender.send((usize::MAX, String::new(), Err(e.to_string())));
                    return;
                }
            };
            for (index, code) in codes.into_iter().enumerate() {
                let result = assess_row(&store, &code).map_err(|e| e.to_string());
                if sender.send((index, code, result)).is_err() {
                    return; // The UI went away or reloaded.
                }
            }
        });
        Worker {
            receiver,
            total,
            done: 0,
            finished: total == 0,
        }
    }

    /// Whether every patient has been assessed (or the thread ended).
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// The results that arrived since the last call, without waiting.
    pub fn drain(&mut self) -> Vec<Message> {
        let mut messages = Vec::new();
        loop {
            match self.receiver.try_recv() {
                Ok(message) => {
                    self.done += 1;
                    messages.push(message);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.finished = true;
                    break;
                }
            }
        }
        if self.done >= self.total {
            self.finished = true;
        }
        messages
    }
}
