//! Problems: what went wrong, where, and with which entity.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::yaml::Pos;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The entity (or file) could not be used.
    Error,
    /// Worth fixing; the entity is still used.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem found while reading, validating or syncing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The file (or URL) the problem is in, when there is one.
    pub file: Option<String>,
    /// Where in the file.
    pub pos: Option<Pos>,
    /// The canonical ref of the entity concerned, when known.
    pub entity: Option<String>,
    /// The configured source that reported it.
    pub source: Option<String>,
    /// What is wrong, and what is allowed.
    pub message: String,
}

impl Problem {
    /// An error with only a message.
    pub fn error(message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            file: None,
            pos: None,
            entity: None,
            source: None,
            message: message.into(),
        }
    }

    /// A warning with only a message.
    pub fn warning(message: impl Into<String>) -> Self {
        Problem { severity: Severity::Warning, ..Problem::error(message) }
    }

    /// Sets the file.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Sets the position.
    pub fn at(mut self, pos: Pos) -> Self {
        self.pos = Some(pos);
        self
    }

    /// Sets the entity.
    pub fn for_entity(mut self, entity: impl Into<String>) -> Self {
        self.entity = Some(entity.into());
        self
    }

    /// Sets the source, unless one is already set.
    pub fn from_source(mut self, source: &str) -> Self {
        if self.source.is_none() {
            self.source = Some(source.to_string());
        }
        self
    }

    /// `file:line:col` (or as much of it as is known).
    pub fn location(&self) -> String {
        match (&self.file, self.pos) {
            (Some(file), Some(pos)) => format!("{file}:{}:{}", pos.line, pos.col),
            (Some(file), None) => file.clone(),
            (None, Some(pos)) => format!("{}:{}", pos.line, pos.col),
            (None, None) => String::new(),
        }
    }
}

impl fmt::Display for Problem {
    /// The `file:line:col: severity: message` shape editors and CI understand.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = self.location();
        if !location.is_empty() {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}: {}", self.severity, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_file_line_col() {
        let p = Problem::error("bad name").in_file("a.yaml").at(Pos { line: 3, col: 9 });
        assert_eq!(p.to_string(), "a.yaml:3:9: error: bad name");
        assert_eq!(Problem::warning("w").to_string(), "warning: w");
    }
}
