package postgres

// SetCopyMinRows sets the batch size from which Capture uses COPY and returns a func
// that restores it, so that the suite can run through both write paths.
func SetCopyMinRows(n int) (restore func()) {
	old := copyMinRows
	copyMinRows = n
	return func() { copyMinRows = old }
}
