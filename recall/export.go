package recall

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
)

// Export formats.
const (
	FormatCSV   = "csv"
	FormatXLSX  = "xlsx"
	FormatEPCIS = "epcis"
)

// Export is a rendered export of a recall.
type Export struct {
	ContentType string
	Filename    string
	Body        []byte
}

// Row is one line of the key-data-element sheet: one tracking event and one product and
// lot it moved (an event that moved two lots has two rows, so that every row has one lot
// code and one quantity to sort and sum by).
type Row struct {
	EventTime    time.Time
	EventType    string
	BizStep      string // CBV short name, or the URI of a non-standard step
	Lot          string
	Product      string // GTIN (14 digits) for trade items, else the class or identifier URI
	Quantity     *float64
	Unit         string // UN/ECE code; EA for counted units
	Location     string // where the event happened (business location)
	FromParty    string
	FromLocation string
	ToParty      string
	ToLocation   string
	Documents    string // business transactions and certificates, "; "-separated
	EventID      string
}

// Columns are the sheet's header row.
var Columns = []string{"Event time (UTC)", "Event type", "Business step", "Lot code", "Product (GTIN or class)",
	"Quantity", "Unit", "Location", "From party", "From location", "To party", "To location", "Reference documents", "Event ID"}

// TimeLayout is how event times are written in CSV: fixed width, so the text sorts as
// the times do.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// loaded is a recall with its events decoded, in event-time order, without those
// declared erroneous since.
type loaded struct {
	r      *store.Recall
	events []storedEvent
}

func (s *Service) load(ctx context.Context, id string) (*loaded, error) {
	r, err := s.Store.Recall(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.Store.RecallEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	l := &loaded{r: r}
	for _, row := range rows {
		if row.DeclaredBy >= 0 || row.Declares >= 0 {
			continue
		}
		se, err := decode(row)
		if err != nil {
			return nil, err
		}
		l.events = append(l.events, se)
	}
	sortEvents(l.events)
	return l, nil
}

// Rows returns the key data elements of the events a recall covers, by event time.
func (s *Service) Rows(ctx context.Context, id string) ([]Row, error) {
	l, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	return l.rows(), nil
}

func (l *loaded) rows() []Row {
	affected := make(map[string]bool, len(l.r.Identifiers))
	for _, id := range l.r.Identifiers {
		affected[id] = true
	}
	g := newGoods(affected, l.events, nil)
	var out []Row
	for _, se := range l.events {
		e := se.e
		base := Row{EventTime: e.EventTime.UTC(), EventType: string(e.Type), BizStep: e.BizStep, EventID: e.EventID}
		if e.BizLocation != nil {
			base.Location = e.BizLocation.ID
		}
		from, _ := parties(e.SourceList)
		to, _ := parties(e.DestinationList)
		base.FromParty, base.FromLocation = strings.Join(from, "; "), strings.Join(locations(e.SourceList), "; ")
		base.ToParty, base.ToLocation = strings.Join(to, "; "), strings.Join(locations(e.DestinationList), "; ")
		var docs []string
		for _, b := range e.BizTransactionList {
			docs = append(docs, b.Type+": "+b.Value)
		}
		for _, c := range e.CertificationInfo {
			docs = append(docs, "certification: "+c)
		}
		base.Documents = strings.Join(docs, "; ")
		lines := g.lines(g.moved(se))
		if len(lines) == 0 {
			out = append(out, base)
			continue
		}
		for _, q := range lines {
			row := base
			row.Product, row.Lot, row.Quantity, row.Unit = productText(q.Product), q.Lot, q.Quantity, q.UOM
			if row.Unit == "" {
				row.Unit = "EA"
			}
			out = append(out, row)
		}
	}
	return out
}

// productText shows a GTIN class by its 14 digits, anything else as its URI.
func productText(p string) string {
	if rest, ok := strings.CutPrefix(p, codes.CanonicalDLStem+"/01/"); ok && len(rest) == 14 {
		return rest
	}
	return p
}

// Cells returns a row as the text of its cells, as the CSV has them. Text that a
// spreadsheet would take for a formula (starting with = + - @) gets a leading
// apostrophe: the events come from many enterprises, and a sheet must not run what one
// of them wrote.
func (r Row) Cells() []string {
	q := ""
	if r.Quantity != nil {
		q = formatNumber(*r.Quantity)
	}
	return []string{r.EventTime.Format(TimeLayout), cellText(r.EventType), cellText(r.BizStep), cellText(r.Lot), cellText(r.Product),
		q, cellText(r.Unit), cellText(r.Location), cellText(r.FromParty), cellText(r.FromLocation), cellText(r.ToParty),
		cellText(r.ToLocation), cellText(r.Documents), cellText(r.EventID)}
}

func cellText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func formatNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Export renders a recall's events in format: csv or xlsx (the key-data-element sheet)
// or epcis (an EPCIS 2.0 JSON-LD document of the events).
func (s *Service) Export(ctx context.Context, id, format string) (*Export, error) {
	switch format {
	case FormatCSV, FormatXLSX, FormatEPCIS:
	default:
		e := zhuisu.Errorf(zhuisu.EInvalid, "format must be csv, xlsx or epcis, got %q", format)
		e.Kind, e.Field = "QueryParameterException", "format"
		return nil, e
	}
	l, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	name := "recall-" + l.r.ID
	var buf bytes.Buffer
	switch format {
	case FormatCSV:
		w := csv.NewWriter(&buf)
		w.Write(Columns)
		for _, r := range l.rows() {
			w.Write(r.Cells())
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return nil, zhuisu.Wrap(err, zhuisu.EInternal, "write recall CSV")
		}
		return &Export{ContentType: "text/csv; charset=utf-8", Filename: name + ".csv", Body: buf.Bytes()}, nil
	case FormatXLSX:
		if err := writeXLSX(&buf, l.rows()); err != nil {
			return nil, err
		}
		return &Export{ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Filename: name + ".xlsx", Body: buf.Bytes()}, nil
	default:
		events := make([]*epcis.Event, len(l.events))
		for i, se := range l.events {
			events[i] = se.e
		}
		if err := epcis.EncodeJSON(&buf, events); err != nil {
			return nil, zhuisu.Wrap(err, zhuisu.EInternal, "write recall EPCIS document")
		}
		return &Export{ContentType: "application/ld+json", Filename: name + ".jsonld", Body: buf.Bytes()}, nil
	}
}

// SheetName is the worksheet of the XLSX export.
const SheetName = "Recall"

// writeXLSX writes the sheet: a bold, frozen header row with an autofilter over every
// column, times as Excel dates, quantities as numbers.
func writeXLSX(buf *bytes.Buffer, rows []Row) error {
	f := excelize.NewFile()
	defer f.Close()
	fail := func(err error) error { return zhuisu.Wrap(err, zhuisu.EInternal, "write recall XLSX") }
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return fail(err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fail(err)
	}
	layout := "yyyy-mm-dd hh:mm:ss"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &layout})
	if err != nil {
		return fail(err)
	}
	header := make([]any, len(Columns))
	for i, c := range Columns {
		header[i] = c
	}
	if err := f.SetSheetRow(SheetName, "A1", &header); err != nil {
		return fail(err)
	}
	last, _ := excelize.ColumnNumberToName(len(Columns))
	if err := f.SetCellStyle(SheetName, "A1", last+"1", bold); err != nil {
		return fail(err)
	}
	for i, r := range rows {
		cells := r.Cells()
		values := make([]any, len(cells))
		for j, c := range cells {
			values[j] = c
		}
		values[0] = r.EventTime
		if r.Quantity != nil {
			values[5] = *r.Quantity
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(SheetName, cell, &values); err != nil {
			return fail(err)
		}
	}
	if len(rows) > 0 {
		if err := f.SetCellStyle(SheetName, "A2", "A"+itoa(len(rows)+1), date); err != nil {
			return fail(err)
		}
	}
	if err := f.AutoFilter(SheetName, "A1:"+last+itoa(len(rows)+1), nil); err != nil {
		return fail(err)
	}
	if err := f.SetPanes(SheetName, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}
	widths := []float64{20, 20, 16, 14, 16, 10, 6, 36, 36, 36, 36, 36, 60, 48}
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(SheetName, col, col, w); err != nil {
			return fail(err)
		}
	}
	if err := f.Write(buf); err != nil {
		return fail(err)
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
