package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/zhuisu/zhuisu/trace"
	"github.com/zhuisu/zhuisu/workload"
)

func TestTraceThroughAPIAndCommand(t *testing.T) {
	s := startServer(t, nil)
	events := workload.New(51).Document(20).Events
	captureDocs(t, s, 51, 1, 20)
	epc := events[0].EPCList[0]
	resp, body := s.do(t, "GET", "/api/trace?direction=both&code="+url.QueryEscape(epc), "", nil, true)
	var res trace.Result
	if resp.StatusCode != 200 || json.Unmarshal(body, &res) != nil {
		t.Fatalf("trace: %s %s", resp.Status, body)
	}
	if res.Root != epc || len(res.Events) == 0 || len(res.Identifiers) == 0 {
		t.Fatalf("trace of %s: %+v", epc, res)
	}
	for _, q := range []string{"direction=sideways&code=" + url.QueryEscape(epc), "code=" + url.QueryEscape("09521234543214"), "depth=-1&code=" + url.QueryEscape(epc)} {
		if resp, body := s.do(t, "GET", "/api/trace?"+q, "", nil, true); resp.StatusCode != 400 {
			t.Errorf("%s: %s %s", q, resp.Status, body)
		}
	}
	s.stop()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"trace", "-data", s.Dir, epc}, &out, &out); err != nil {
		t.Fatalf("zhuisu trace: %v\n%s", err, out.String())
	}
	if !strings.HasPrefix(out.String(), epc) || !strings.Contains(out.String(), "events") {
		t.Fatalf("zhuisu trace printed:\n%s", out.String())
	}
}
