//! `Journal` for Node: a job's journal read back for reports (no lock taken, nothing written).

use intune_passcode::Journal;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::to_napi;

/// Devices of a job by state.
#[napi(object)]
pub struct JournalSummaryJs {
    pub total: u32,
    pub planned: u32,
    pub sending: u32,
    pub ok: u32,
    pub failed: u32,
    pub unknown: u32,
}

/// One device of a job.
#[napi(object)]
pub struct JournalRecordJs {
    pub device_id: String,
    pub user_id: Option<String>,
    pub detected_app_id: Option<String>,
    /// `planned`, `sending`, `ok`, `failed` or `unknown`.
    pub state: String,
    pub code: Option<String>,
    pub status: Option<u32>,
    pub request_id: Option<String>,
    pub client_request_id: Option<String>,
    pub sent_at: Option<String>,
    pub confirmed_by: Option<String>,
}

/// A journal opened for reading.
#[napi]
pub struct NativeJournal {
    inner: Journal,
}

#[napi]
impl NativeJournal {
    /// Read the journal at `path`; throws the error record (`INVALID_ARGUMENT`) when it is not one.
    #[napi(constructor)]
    pub fn new(path: String) -> Result<Self> {
        Journal::open(path)
            .map(|inner| NativeJournal { inner })
            .map_err(|e| to_napi(&e))
    }

    #[napi(getter)]
    pub fn job_id(&self) -> String {
        self.inner.job_id().to_string()
    }

    #[napi(getter)]
    pub fn graph_base(&self) -> String {
        self.inner.graph_base().to_string()
    }

    #[napi(getter)]
    pub fn created_at(&self) -> String {
        self.inner.created_at().to_string()
    }

    /// Devices by state.
    #[napi]
    pub fn summary(&self) -> JournalSummaryJs {
        let s = self.inner.summary();
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        JournalSummaryJs {
            total: n(s.total),
            planned: n(s.planned),
            sending: n(s.sending),
            ok: n(s.ok),
            failed: n(s.failed),
            unknown: n(s.unknown),
        }
    }

    /// Every device, in the order it joined the job.
    #[napi]
    pub fn records(&self) -> Vec<JournalRecordJs> {
        self.inner
            .records()
            .map(|r| JournalRecordJs {
                device_id: r.device_id.clone(),
                user_id: r.user_id.clone(),
                detected_app_id: r.detected_app_id.clone(),
                state: r.state.as_str().to_string(),
                code: r.code.clone(),
                status: r.status.map(u32::from),
                request_id: r.request_id.clone(),
                client_request_id: r.client_request_id.clone(),
                sent_at: r.sent_at.clone(),
                confirmed_by: r.confirmed_by.clone(),
            })
            .collect()
    }
}
