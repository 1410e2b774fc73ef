package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"github.com/zhuisu/zhuisu/api"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/capture"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/internal/testkit"
	"github.com/zhuisu/zhuisu/recall"
	"github.com/zhuisu/zhuisu/store"
	"github.com/zhuisu/zhuisu/trace"
	"github.com/zhuisu/zhuisu/workload"
)

type recallClient struct {
	t     *testing.T
	base  string
	token string
}

func (c *recallClient) do(method, path, token string, body any) (*http.Response, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, b
}

// recallServer serves the API on a SQLite store holding two demo stories; it returns the
// client and the first story's events.
func recallServer(t *testing.T) (*recallClient, []*epcis.Event) {
	t.Helper()
	ctx := context.Background()
	st, _ := testkit.SQLite(t)
	g := workload.New(11)
	var first []*epcis.Event
	for i := range 2 {
		events := g.Story()
		if i == 0 {
			first = events
		}
		if _, err := capture.New(st).Capture(ctx, &epcis.Document{Events: events}, ""); err != nil {
			t.Fatal(err)
		}
	}
	a := auth.New(st)
	token, _, err := a.Issue(ctx, auth.RoleAdmin, "", "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := trace.New(st)
	s := &api.Server{Store: st, Auth: a, Trace: tr, Recall: recall.New(st, tr), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return &recallClient{t: t, base: srv.URL, token: token}, first
}

func TestRecallFlowCreatesListsUpdatesAndExportsAgreeingSheets(t *testing.T) {
	c, events := recallServer(t)
	lot := events[0].QuantityList[0].EPCClass
	shop := events[7].DestinationList[0].Value
	body := map[string]any{"codes": []string{lot}, "reason": "重金属超标 heavy metals"}

	if resp, _ := c.do("POST", "/api/recalls", "", body); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("recall without a token: %d, want 401", resp.StatusCode)
	}
	resp, b := c.do("POST", "/api/recalls", c.token, body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	var created store.Recall
	if err := json.Unmarshal(b, &created); err != nil {
		t.Fatal(err)
	}
	if loc := resp.Header.Get("Location"); loc != "/api/recalls/"+created.ID || created.ID == "" {
		t.Fatalf("Location %q for recall %q", loc, created.ID)
	}
	if len(created.Holders) != 4 || !slices.Contains(created.Identifiers, lot) {
		t.Errorf("created recall has %d holders and identifiers %v", len(created.Holders), created.Identifiers)
	}

	resp, b = c.do("GET", "/api/recalls", c.token, nil)
	var list []store.Recall
	if err := json.Unmarshal(b, &list); err != nil || resp.StatusCode != http.StatusOK || len(list) != 1 || list[0].ID != created.ID {
		t.Fatalf("list: %d %s", resp.StatusCode, b)
	}

	holderPath := "/api/recalls/" + created.ID + "/holders/" + url.PathEscape(shop)
	resp, b = c.do("POST", holderPath, c.token, map[string]any{"status": "returned", "quantity": -2})
	if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("negative quantity: %d %s", resp.StatusCode, b)
	}
	resp, b = c.do("POST", holderPath, c.token, map[string]any{"status": "returned", "quantity": 1, "note": "退回一件"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("holder update: %d %s", resp.StatusCode, b)
	}
	resp, b = c.do("GET", "/api/recalls/"+created.ID, c.token, nil)
	var got store.Recall
	if err := json.Unmarshal(b, &got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("get: %d %s", resp.StatusCode, b)
	}
	var h *store.RecallHolder
	for _, x := range got.Holders {
		if x.Party == shop {
			h = x
		}
	}
	if h == nil || h.Status != "returned" || h.Returned != 1 || len(h.History) != 2 || h.History[1].Note != "退回一件" {
		t.Errorf("shop after the update: %+v", h)
	}

	export := func(format, wantType string) []byte {
		t.Helper()
		resp, b := c.do("GET", "/api/recalls/"+created.ID+"/export?format="+format, c.token, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export %s: %d %s", format, resp.StatusCode, b)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, wantType) {
			t.Errorf("export %s: Content-Type %s, want %s", format, ct, wantType)
		}
		disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
		if err != nil || disp != "attachment" || !strings.HasPrefix(params["filename"], "recall-"+created.ID+".") {
			t.Errorf("export %s: Content-Disposition %q", format, resp.Header.Get("Content-Disposition"))
		}
		return b
	}
	records, err := csv.NewReader(bytes.NewReader(export("csv", "text/csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(records[0], recall.Columns) || len(records) < 2 {
		t.Fatalf("CSV header %v and %d rows", records[0], len(records)-1)
	}
	eventIDs := map[string]bool{}
	lotRows := 0
	for _, r := range records[1:] {
		eventIDs[r[13]] = true
		if r[3] != "" {
			lotRows++
		}
	}
	if lotRows == 0 {
		t.Errorf("no CSV row names a lot")
	}

	xb := export("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	f, err := excelize.OpenReader(bytes.NewReader(xb), excelize.Options{UnzipSizeLimit: 16 << 20, UnzipXMLSizeLimit: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(recall.SheetName, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(records) {
		t.Fatalf("XLSX has %d rows, CSV %d", len(rows), len(records))
	}
	for i, rec := range records {
		for j, want := range rec {
			gotCell := ""
			if j < len(rows[i]) {
				gotCell = rows[i][j]
			}
			if i > 0 && j == 0 { // a date: an Excel serial number
				serial, err := strconv.ParseFloat(gotCell, 64)
				if err != nil {
					t.Fatalf("row %d: time cell %q is not a date", i+1, gotCell)
				}
				tm, err := excelize.ExcelDateToTime(serial, false)
				if err != nil {
					t.Fatal(err)
				}
				gotCell = tm.UTC().Format(recall.TimeLayout)
			}
			if gotCell != want {
				t.Errorf("cell %d,%d: XLSX %q, CSV %q", i+1, j+1, gotCell, want)
			}
		}
	}
	cellType, err := f.GetCellType(recall.SheetName, "F2")
	if err != nil {
		t.Fatal(err)
	}
	if records[1][5] != "" && cellType != excelize.CellTypeUnset && cellType != excelize.CellTypeNumber {
		t.Errorf("quantity cell F2 has type %v, want a number", cellType)
	}
	filter := false
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" && strings.HasSuffix(dn.RefersTo, "$A$1:$N$"+strconv.Itoa(len(records))) {
			filter = true
		}
	}
	if !filter {
		t.Errorf("no autofilter over A1:N%d; defined names %+v", len(records), f.GetDefinedName())
	}

	doc, err := epcis.DecodeJSON(bytes.NewReader(export("epcis", "application/ld+json")), epcis.DefaultLimits)
	if err != nil {
		t.Fatalf("EPCIS export does not decode: %v", err)
	}
	var docIDs []string
	for _, e := range doc.Events {
		docIDs = append(docIDs, e.EventID)
		if !eventIDs[e.EventID] {
			t.Errorf("event %s is in the EPCIS export but not in the sheet", e.EventID)
		}
	}
	if len(docIDs) != len(eventIDs) {
		t.Errorf("EPCIS export has %d events, the sheet %d", len(docIDs), len(eventIDs))
	}

	if resp, _ := c.do("GET", "/api/recalls/"+created.ID+"/export?format=pdf", c.token, nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("export as pdf: %d, want 400", resp.StatusCode)
	}
	if resp, _ := c.do("GET", "/api/recalls/RC-none", c.token, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown recall: %d, want 404", resp.StatusCode)
	}
	if resp, _ := c.do("POST", "/api/recalls", c.token, map[string]any{"codes": []string{"https://id.gs1.org/01/09521234543213/10/NONE"}, "reason": "x"}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("recall of an unknown lot: %d, want 404", resp.StatusCode)
	}
}
