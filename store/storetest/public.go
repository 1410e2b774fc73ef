package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/zhuisu/zhuisu/store"
)

// testScanLog checks that the scan log sums up exactly the scans of one code since a
// time: counts, distinct areas and the first and last time, and nothing for a code never
// scanned.
func testScanLog(t *testing.T, s store.Store) {
	ctx := context.Background()
	const a, b = "https://id.gs1.org/01/09521234543213/21/A1", "https://id.gs1.org/01/09521234543213/21/B2"
	var scans []store.Scan
	for i := range 5 {
		scans = append(scans, store.Scan{Code: a, At: base.Add(time.Duration(i) * time.Hour), Area: []string{"ip4:10.1.0.0/16", "ip4:10.2.0.0/16"}[i%2]})
	}
	scans = append(scans, store.Scan{Code: b, At: base, Area: "ip4:10.9.0.0/16"})
	if err := s.RecordScans(ctx, scans); err != nil {
		t.Fatalf("RecordScans: %v", err)
	}
	if err := s.RecordScans(ctx, nil); err != nil {
		t.Fatalf("RecordScans of nothing: %v", err)
	}
	tests := []struct {
		name  string
		code  string
		since time.Time
		want  store.ScanSummary
	}{
		{"all scans of a code", a, time.Time{}, store.ScanSummary{Scans: 5, Areas: 2, First: base, Last: base.Add(4 * time.Hour)}},
		{"scans since a time", a, base.Add(3 * time.Hour), store.ScanSummary{Scans: 2, Areas: 2, First: base.Add(3 * time.Hour), Last: base.Add(4 * time.Hour)}},
		{"another code", b, time.Time{}, store.ScanSummary{Scans: 1, Areas: 1, First: base, Last: base}},
		{"a code never scanned", "https://id.gs1.org/00/095212345000000018", time.Time{}, store.ScanSummary{}},
	}
	for _, tc := range tests {
		got, err := s.ScanSummary(ctx, tc.code, tc.since)
		if err != nil {
			t.Fatalf("%s: ScanSummary: %v", tc.name, err)
		}
		if got.Scans != tc.want.Scans || got.Areas != tc.want.Areas || !got.First.Equal(tc.want.First) || !got.Last.Equal(tc.want.Last) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
