//! The catalog model: entities, references, relations, problems and
//! validation. Pure: no I/O.

pub mod entity;
pub mod entity_ref;
pub mod layout;
pub mod problem;
pub mod relations;
pub mod sanitize;
pub mod validation;
pub mod yaml;

pub use entity::{Entity, Relation};
pub use entity_ref::EntityRef;
pub use problem::{Problem, Severity};
pub use yaml::{Node, NodeValue, Pos};
