//! Reliability: crash consistency under SIGKILL, corruption detection on real
//! sled files, and one writer at a time (issue 6).
