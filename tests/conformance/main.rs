//! Conformance with Backstage's own example data
//! (`../shared/fixtures/backstage-examples`), through the library API:
//! Location fan-out, validation, placeholders and the relations Backstage's
//! built-in kinds processor derives. Every expectation below was written by
//! reading the fixture files, not by running the code. As in Backstage,
//! `all-apis.yaml` (two of whose targets do not exist) fails with every API
//! it names; the relation tests also read a copy where those targets are
//! optional, to see the APIs.
//!
//! Skipped (with a printed reason) when `../shared` is not beside the
//! repository.

#[path = "../common/mod.rs"]
mod common;

mod examples;
mod files;
