//! Remote docs (TechDocs backend).
