package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/integrity"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/public"
	"github.com/zhuisu/zhuisu/recall"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/tlog"
	"github.com/zhuisu/zhuisu/trace"
	"github.com/zhuisu/zhuisu/web"
	"github.com/zhuisu/zhuisu/workload"
)

// site is a running server (the API's handler with the pages mounted) over a SQLite
// store holding demo stories and a signed checkpoint over them.
type site struct {
	URL     string
	st      store.Store
	trace   *trace.Service
	public  *public.Service
	stories [][]*epcis.Event
	token   string // the administrator's API token
}

// newSite captures stories (changed by edit first, when given) and serves them.
func newSite(t *testing.T, stories int, cfg web.Config, edit func(i int, story []*epcis.Event)) *site {
	t.Helper()
	ctx := context.Background()
	st, _ := testkit.SQLite(t)
	signer, verifier, vkey := testkit.LogKey(t, "zhuisu.test/log")
	logSvc := &integrity.Service{Store: st, Origin: signer.Name(), Signer: signer, Verifiers: []tlog.Verifier{verifier}, PublicKey: vkey, MaxStep: 1 << 20}
	s := &site{st: st, trace: trace.New(st)}
	gen := workload.New(11)
	doc := &epcis.Document{SchemaVersion: "2.0"}
	for i := range stories {
		story := gen.Story()
		if edit != nil {
			edit(i, story)
		}
		s.stories = append(s.stories, story)
		doc.Events = append(doc.Events, story...)
	}
	if _, err := capture.New(st).Capture(ctx, doc, ""); err != nil {
		t.Fatalf("capture: %v", err)
	}
	if _, err := logSvc.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	s.public = public.New(st, s.trace, logSvc, public.Config{})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := web.New(s.public, s.trace, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	authSvc := auth.New(st)
	tokenFile := filepath.Join(t.TempDir(), "admin-token")
	if _, err := authSvc.EnsureAdmin(ctx, tokenFile); err != nil {
		t.Fatal(err)
	}
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	s.token = strings.TrimSpace(string(token))
	srv := &api.Server{Store: st, Trace: s.trace, Integrity: logSvc, Auth: authSvc, Web: h, Log: log}
	h.SetScope(srv.Scope)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

// recallLot opens a recall of a story's harvested lot.
func (s *site) recallLot(t *testing.T, story []*epcis.Event, reason string) {
	t.Helper()
	if _, err := recall.New(s.st, s.trace).Create(context.Background(), "91350100M000100Y43", []string{rawLot(story)}, reason); err != nil {
		t.Fatal(err)
	}
	s.public.InvalidateAll()
}

// get fetches a path with headers given as name, value pairs, without following
// redirects.
func (s *site) get(t *testing.T, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// pathOf is a Digital Link's path on this server.
func pathOf(dl string) string { return dl[len("https://id.gs1.org"):] }

func soldUnit(story []*epcis.Event) string { return story[len(story)-1].EPCList[0] }
func rawLot(story []*epcis.Event) string   { return story[0].QuantityList[0].EPCClass }
func pallet(story []*epcis.Event) string {
	for _, e := range story {
		if e.Type == epcis.AggregationEvent && e.Action == epcis.ActionAdd {
			return e.ParentID
		}
	}
	return ""
}
func unsoldUnit(story []*epcis.Event) string {
	last := story[len(story)-2]
	return last.EPCList[len(last.EPCList)-1]
}

// generous lets a test make many requests from one client.
var generous = web.Config{Rate: 10000, Burst: 10000}
