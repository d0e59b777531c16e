//! The diagram as text lines, for the TUI's relations phase.
