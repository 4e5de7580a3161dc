//! The task state machine: which states are terminal or interrupted, and
//! which transitions are allowed.

use a2akit::types::TaskState::{self, *};

#[test]
fn classification() {
    for state in TaskState::ALL {
        let terminal = matches!(state, Completed | Failed | Canceled | Rejected);
        let interrupted = matches!(state, InputRequired | AuthRequired);
        assert_eq!(state.is_terminal(), terminal, "{state}");
        assert_eq!(state.is_interrupted(), interrupted, "{state}");
        assert_eq!(state.is_active(), !terminal && !interrupted, "{state}");
    }
}

#[test]
fn terminal_states_never_change() {
    for from in TaskState::ALL.iter().filter(|s| s.is_terminal()) {
        for to in TaskState::ALL {
            assert!(!from.can_transition_to(*to), "{from} -> {to}");
        }
    }
}

#[test]
fn active_states_may_go_anywhere() {
    for from in [Submitted, Working] {
        for to in TaskState::ALL {
            assert!(from.can_transition_to(*to), "{from} -> {to}");
        }
    }
}

#[test]
fn interrupted_states_resume_ask_again_or_end() {
    for from in [InputRequired, AuthRequired] {
        for to in TaskState::ALL {
            let allowed = *to != Submitted;
            assert_eq!(from.can_transition_to(*to), allowed, "{from} -> {to}");
        }
    }
}

#[test]
fn names_and_numbers() {
    let expected = [
        (Submitted, 1, "TASK_STATE_SUBMITTED"),
        (Working, 2, "TASK_STATE_WORKING"),
        (Completed, 3, "TASK_STATE_COMPLETED"),
        (Failed, 4, "TASK_STATE_FAILED"),
        (Canceled, 5, "TASK_STATE_CANCELED"),
        (InputRequired, 6, "TASK_STATE_INPUT_REQUIRED"),
        (Rejected, 7, "TASK_STATE_REJECTED"),
        (AuthRequired, 8, "TASK_STATE_AUTH_REQUIRED"),
    ];
    assert_eq!(TaskState::ALL.len(), expected.len());
    for (state, number, name) in expected {
        assert_eq!(state.number(), number);
        assert_eq!(state.as_str(), name);
        assert_eq!(TaskState::from_number(number), Some(state));
        assert_eq!(name.parse::<TaskState>().unwrap(), state);
        assert_eq!(number.to_string().parse::<TaskState>().unwrap(), state);
    }
    assert_eq!(TaskState::from_number(0), None);
    assert!("TASK_STATE_UNSPECIFIED".parse::<TaskState>().is_err());
    assert!("completed".parse::<TaskState>().is_err());
}
