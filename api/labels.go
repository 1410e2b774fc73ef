package api

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/label"
)

// maxSheetLabels bounds the labels of one PDF sheet request.
const maxSheetLabels = 10000

// getLabels renders labels: ?code=CODE&format=png|svg|pdf for one code, or
// ?issuance=ID (format pdf) for a printable A4 sheet of every code of an issuance.
// Sheet options: columns, rows (default 3×8).
func (s *Server) getLabels(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "png"
	}
	var labels []label.Label
	switch {
	case q.Get("issuance") != "":
		_, issued, err := s.Store.IssuedCodes(r.Context(), q.Get("issuance"))
		if err != nil {
			return err
		}
		if len(issued) > maxSheetLabels {
			return zhuisu.Errorf(zhuisu.ETooLarge, "an issuance of %d codes is more than one request prints (%d)", len(issued), maxSheetLabels)
		}
		for _, code := range issued {
			l, err := labelOf(code, s.PublicURL)
			if err != nil {
				return err
			}
			labels = append(labels, l)
		}
		if format != "pdf" {
			return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "QueryParameterException", Field: "format", Message: "an issuance is printed as a PDF sheet: use format=pdf"}
		}
	case q.Get("code") != "":
		l, err := labelOf(q.Get("code"), s.PublicURL)
		if err != nil {
			return err
		}
		labels = []label.Label{l}
	default:
		return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "QueryParameterException", Field: "code", Message: "give ?code=CODE or ?issuance=ID"}
	}
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		w.Header().Set("Content-Type", "image/png")
		err = label.PNG(&buf, labels[0], 8)
	case "svg":
		w.Header().Set("Content-Type", "image/svg+xml")
		err = label.SVG(&buf, labels[0])
	case "pdf":
		sheet := label.Sheet{Paper: "A4", Columns: 3, Rows: 8, MarginMM: 10, GapMM: 4}
		if n, e := strconv.Atoi(q.Get("columns")); e == nil && n > 0 && n <= 10 {
			sheet.Columns = n
		}
		if n, e := strconv.Atoi(q.Get("rows")); e == nil && n > 0 && n <= 20 {
			sheet.Rows = n
		}
		w.Header().Set("Content-Type", "application/pdf")
		err = label.PDF(&buf, labels, sheet)
	default:
		return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: "QueryParameterException", Field: "format", Message: "format must be png, svg or pdf"}
	}
	if err != nil {
		w.Header().Del("Content-Type")
		return zhuisu.Wrap(err, zhuisu.EUnavailable, "cannot render the label: %v", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func labelOf(code, publicURL string) (label.Label, error) {
	c, err := codes.Parse(code)
	if err != nil {
		return label.Label{}, err
	}
	return label.ForCode(c, publicURL)
}
