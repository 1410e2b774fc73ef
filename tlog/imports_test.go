package tlog

import (
	"os/exec"
	"strings"
	"testing"
)

// The package is the pure core of the log: it must not reach for the network or a
// database, directly or through a dependency.
func TestPackageDependsOnNeitherNetHTTPNorDatabaseSQL(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list dependencies")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %v", deps)
	}
	for _, d := range deps {
		if d == "net/http" || d == "database/sql" || d == "net" {
			t.Fatalf("package tlog depends on %s", d)
		}
	}
}
