//! Global and thread-local defaults, the scope guard, and the free functions.
//! One test function: the global default is process-wide state.

#![allow(missing_docs)]

use reel_core::LogMsg;
use reel_sdk::{
    get_data_recording, get_global_data_recording, get_thread_local_data_recording,
    set_global_data_recording, set_thread_local_data_recording, RecordingStream,
    RecordingStreamBuilder,
};
use reel_types::archetypes::Scalar;

fn num_rows(mem: &reel_sdk::MemoryRecording) -> usize {
    mem.messages()
        .iter()
        .map(|m| match m {
            LogMsg::ArrowMsg(a) => a.chunk.num_rows(),
            _ => 0,
        })
        .sum()
}

#[test]
fn defaults_resolve_explicit_then_thread_then_global() {
    // Nothing set: free functions do nothing and report nothing.
    assert!(get_data_recording(None).is_none());
    assert!(!reel_sdk::is_enabled(None));
    assert_eq!(reel_sdk::get_recording_id(None), None);
    reel_sdk::log("nowhere", &Scalar::new(0.0), None).expect("no-op");

    let (global, global_mem) = RecordingStreamBuilder::new("global")
        .recording_id("global-id")
        .make_default(true)
        .memory()
        .expect("global");
    let (local, local_mem) = RecordingStreamBuilder::new("local")
        .memory()
        .expect("local");
    let (explicit, explicit_mem) = RecordingStreamBuilder::new("explicit")
        .memory()
        .expect("explicit");

    assert_eq!(get_global_data_recording(), Some(global.clone()));
    assert_eq!(get_data_recording(None), Some(global.clone()));
    assert_eq!(
        reel_sdk::get_recording_id(None).map(|r| r.to_string()),
        Some("global-id".into())
    );

    let previous = set_thread_local_data_recording(Some(local.clone()));
    assert!(previous.is_none());
    assert_eq!(get_thread_local_data_recording(), Some(local.clone()));
    assert_eq!(
        get_data_recording(None),
        Some(local.clone()),
        "thread-local beats global"
    );
    assert_eq!(
        get_data_recording(Some(&explicit)),
        Some(explicit.clone()),
        "explicit beats all"
    );

    // Another thread sees the global default, not this thread's.
    let seen = std::thread::spawn(|| get_data_recording(None))
        .join()
        .expect("thread");
    assert_eq!(seen, Some(global.clone()));

    reel_sdk::set_time_sequence("frame", 3, None);
    reel_sdk::log("x", &Scalar::new(1.0), None).expect("log");
    reel_sdk::log("x", &Scalar::new(2.0), Some(&explicit)).expect("log");

    // The scope guard: `explicit` is the thread default inside, `local` again after.
    {
        let _scope = explicit.enter();
        assert_eq!(get_data_recording(None), Some(explicit.clone()));
        reel_sdk::log("x", &Scalar::new(3.0), None).expect("log");
        {
            let _inner = global.enter();
            assert_eq!(get_data_recording(None), Some(global.clone()));
        }
        assert_eq!(
            get_data_recording(None),
            Some(explicit.clone()),
            "nested scopes restore"
        );
    }
    assert_eq!(get_data_recording(None), Some(local.clone()));

    assert_eq!(num_rows(&local_mem), 1);
    assert_eq!(num_rows(&explicit_mem), 2);
    assert_eq!(num_rows(&global_mem), 0);

    // Setters return what they replaced, and every replacement changes the generation
    // by which callers know a remembered default is still current.
    let generation = reel_sdk::defaults_generation();
    let old_local = set_thread_local_data_recording(None);
    assert_ne!(reel_sdk::defaults_generation(), generation);
    let generation = reel_sdk::defaults_generation();
    std::thread::spawn(|| set_thread_local_data_recording(None))
        .join()
        .expect("thread");
    assert_ne!(
        reel_sdk::defaults_generation(),
        generation,
        "another thread's too"
    );
    assert_eq!(old_local, Some(local));
    let old_global = set_global_data_recording(Some(RecordingStream::disabled()));
    assert_eq!(old_global, Some(global.clone()));
    assert!(
        !reel_sdk::is_enabled(None),
        "a disabled default disables free functions"
    );
    set_global_data_recording(None);

    // init() makes a buffering global default.
    let rec = reel_sdk::init("init_app").expect("init");
    assert_eq!(get_global_data_recording(), Some(rec.clone()));
    assert!(rec.is_enabled());
    let mem = reel_sdk::memory_recording(None).expect("a default recording");
    reel_sdk::log("y", &Scalar::new(1.0), None).expect("log");
    assert_eq!(num_rows(&mem), 1);
    set_global_data_recording(None);
}

#[test]
fn scope_guard_flushes_on_exit() {
    let probe = std::sync::Arc::new(parking_lot::Mutex::new(0usize));
    let counter = probe.clone();
    let rec = RecordingStreamBuilder::new("scope")
        .batcher_config(reel_sdk::BatcherConfig::never())
        .sink(Box::new(reel_sdk::CallbackSink::new(move |m| {
            if let LogMsg::ArrowMsg(a) = m {
                *counter.lock() += a.chunk.num_rows();
            }
        })))
        .expect("recording");
    {
        let _scope = rec.enter();
        reel_sdk::log("a", &Scalar::new(1.0), None).expect("log");
        assert_eq!(*probe.lock(), 0, "nothing flushes on its own");
    }
    assert_eq!(*probe.lock(), 1, "leaving the scope flushed");
    assert!(get_thread_local_data_recording().is_none());
}
