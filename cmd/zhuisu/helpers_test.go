package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// pagedEvent is what the paging tests read of each event in a query result.
type pagedEvent struct {
	EventID   string    `json:"eventID"`
	EventTime time.Time `json:"eventTime"`
}

// eventPages follows a query's Link: rel="next" headers from first (a path with query)
// on the server at base, reading with token, and returns the events page by page.
func eventPages(t *testing.T, base, token, first string) [][]pagedEvent {
	t.Helper()
	var pages [][]pagedEvent
	for next := first; next != ""; {
		req, _ := http.NewRequest("GET", base+next, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s %s", next, resp.Status, body)
		}
		var doc struct {
			EpcisBody struct {
				QueryResults struct {
					ResultsBody struct {
						EventList []pagedEvent `json:"eventList"`
					} `json:"resultsBody"`
				} `json:"queryResults"`
			} `json:"epcisBody"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("GET %s: not a query document: %v", next, err)
		}
		pages = append(pages, doc.EpcisBody.QueryResults.ResultsBody.EventList)
		next = ""
		if link := resp.Header.Get("Link"); link != "" {
			next = strings.TrimSuffix(strings.TrimPrefix(strings.Split(link, ";")[0], "<"), ">")
		}
		if len(pages) > 10000 {
			t.Fatal("the pages never end")
		}
	}
	return pages
}
