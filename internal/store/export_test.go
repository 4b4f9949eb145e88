package store

// SetMigrationBatch makes MigrateToSealed and RewrapKeys work in batches of
// n until the returned function restores the default, so a test can see a
// migration cross several transactions with a few cases.
func SetMigrationBatch(n int) (restore func()) {
	old := migrationBatch
	migrationBatch = n
	return func() { migrationBatch = old }
}
