//! End-to-end tests of the `annals` binary.
