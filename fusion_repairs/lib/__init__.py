"""ORM-free helpers of fusion_repairs (importable and testable without a database)."""
