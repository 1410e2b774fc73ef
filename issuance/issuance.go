// Package issuance hands out serial trace codes to enterprises: GS1 serials under a GTIN
// (01 + 21) or platform codes for goods that have no mandated code. The store guarantees
// a code is issued at most once; this service decides what codes look like and who may
// ask. It must not import net/http or database/sql.
package issuance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/codes"
	"github.com/zhuisu/zhuisu/store"
)

// MaxCount bounds the codes one request may ask for.
const MaxCount = 100000

// Request asks for Count new codes. Scheme "gs1" needs GTIN (any of GTIN-8/12/13/14);
// scheme "platform" needs Region (a GB/T 2260 code) and Subject (the enterprise's unified
// social credit code, or its 9-character organisation code).
type Request struct {
	Scheme  string `json:"scheme"`
	GTIN    string `json:"gtin,omitempty"`
	Region  string `json:"region,omitempty"`
	Subject string `json:"subject,omitempty"`
	Count   int    `json:"count"`
}

// Issued is one issued code: as printed, and its canonical URI for use in events.
type Issued struct {
	Code string `json:"code"`
	URI  string `json:"uri"`
}

// Service issues codes.
type Service struct {
	Store store.Store
	Now   func() time.Time
}

// mayIssue checks that an enterprise draws codes only for itself: platform codes of its
// own credit code, GS1 serials of GTINs under a company prefix registered to it.
func (s *Service) mayIssue(ctx context.Context, req *Request, requester, gtin string) error {
	if requester == "" {
		return nil
	}
	if req.Scheme == "platform" {
		switch {
		case req.Subject == "":
			req.Subject = requester
		case !strings.EqualFold(req.Subject, requester):
			return zhuisu.Errorf(zhuisu.EForbidden, "an enterprise issues platform codes only for itself (%s), not for %s", requester, req.Subject)
		}
		return nil
	}
	sub, err := s.Store.Subject(ctx, requester)
	if err != nil && !zhuisu.IsCode(err, zhuisu.ENotFound) {
		return err
	}
	if sub != nil {
		for _, p := range sub.Prefixes {
			if p != "" && strings.HasPrefix(gtin[1:], p) {
				return nil
			}
		}
	}
	return zhuisu.Errorf(zhuisu.EForbidden, "GTIN %s is not under a GS1 company prefix registered to %s", gtin, requester)
}

func invalid(field, format string, args ...any) error {
	e := zhuisu.Errorf(zhuisu.EInvalid, format, args...)
	e.Field = field
	return e
}

// Issue draws req.Count new codes for requester (the subject asking, empty for
// platform roles).
func (s *Service) Issue(ctx context.Context, req Request, requester string) (*store.Issuance, []Issued, error) {
	if req.Count < 1 || req.Count > MaxCount {
		return nil, nil, invalid("count", "count must be between 1 and %d, got %d", MaxCount, req.Count)
	}
	var id [8]byte
	rand.Read(id[:])
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	iss := &store.Issuance{ID: hex.EncodeToString(id[:]), Subject: requester, CreatedAt: now().UTC()}
	var format func(int64) (string, error)
	var uri func(string) string
	switch req.Scheme {
	case "gs1":
		gtin, err := codes.NormalizeGTIN(req.GTIN)
		if err != nil {
			return nil, nil, invalid("gtin", "%s", zhuisu.ErrorMessage(err))
		}
		if err := s.mayIssue(ctx, &req, requester, gtin); err != nil {
			return nil, nil, err
		}
		iss.Scheme, iss.Counter = "gs1.sgtin", "01/"+gtin
		format = func(serial int64) (string, error) {
			return codes.CanonicalDLStem + "/01/" + gtin + "/21/" + strconv.FormatInt(serial, 10), nil
		}
		uri = func(c string) string { return c }
	case "platform":
		if err := s.mayIssue(ctx, &req, requester, ""); err != nil {
			return nil, nil, err
		}
		if _, ok := codes.RegionName(req.Region); !ok {
			return nil, nil, invalid("region", "region %q is not a GB/T 2260 administrative region code", req.Region)
		}
		org := req.Subject
		if len(org) == 18 {
			if _, err := codes.ParseUSCC(org); err != nil {
				return nil, nil, invalid("subject", "%s", zhuisu.ErrorMessage(err))
			}
			org = org[8:17]
		}
		if _, err := codes.NewPlatformCode(req.Region, org, 1); err != nil {
			return nil, nil, invalid("subject", "%s", zhuisu.ErrorMessage(err))
		}
		iss.Scheme, iss.Counter = "cn.platform", "platform/"+req.Region+"/"+org
		format = func(serial int64) (string, error) { return codes.NewPlatformCode(req.Region, org, uint64(serial)) }
		uri = func(c string) string {
			if p, err := codes.ParsePlatformCode(c); err == nil {
				return p.Canonical
			}
			return c
		}
	default:
		return nil, nil, invalid("scheme", "scheme must be \"gs1\" or \"platform\", got %q", req.Scheme)
	}
	out, err := s.Store.IssueCodes(ctx, iss, req.Count, format)
	if err != nil {
		return nil, nil, err
	}
	issued := make([]Issued, len(out))
	for i, c := range out {
		issued[i] = Issued{Code: c, URI: uri(c)}
	}
	return iss, issued, nil
}
