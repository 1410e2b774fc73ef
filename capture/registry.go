package capture

import (
	"bytes"
	"context"
	"strconv"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/epcis"
	"github.com/zhuisu/zhuisu/store"
)

// Registry is what capture asks the registry of subjects. With it, an enterprise
// subject records only while approved and only at locations it owns.
type Registry interface {
	// MayRecord returns nil when subject may record events at all.
	MayRecord(ctx context.Context, subject string) error
	// MayRecordAt returns nil when subject may record an event at location (a
	// canonical URI); EForbidden otherwise.
	MayRecordAt(ctx context.Context, subject, location string) error
}

// Persons is what capture asks the registry of natural persons.
type Persons interface {
	// Known returns nil when ref is a person reference the platform issued.
	Known(ctx context.Context, ref string) error
}

// personRefPrefix starts every pseudonymous person reference (persons.RefPrefix).
const personRefPrefix = "urn:zhuisu:person:"

// checkRegistry applies the registry's rules to a prepared batch: for an enterprise
// subject, approval and the ownership of each event's bizLocation and readPoint; for
// everyone, that each person reference an event carries was issued here (a made-up
// reference would point at nobody, and one copied from elsewhere could be mistaken for
// a person it is not). With neither hook set, nothing is checked.
func (s *Service) checkRegistry(ctx context.Context, b *store.Batch, subject string) error {
	if s.Registry != nil && subject != "" {
		if err := s.Registry.MayRecord(ctx, subject); err != nil {
			return err
		}
		allowed := map[string]bool{}
		for i, e := range b.Events {
			for _, at := range locationsOf(e.Event) {
				ok, seen := allowed[at.value]
				if !seen {
					err := s.Registry.MayRecordAt(ctx, subject, at.value)
					if err != nil && !zhuisu.IsCode(err, zhuisu.EForbidden) {
						return err
					}
					ok = err == nil
					allowed[at.value] = ok
				}
				if !ok {
					return &zhuisu.Error{Code: zhuisu.EForbidden, Kind: "SecurityException", Field: "epcisBody.eventList[" + strconv.Itoa(i) + "]." + at.field,
						Message: "location " + at.value + " is not one of subject " + subject + "'s registered locations: an enterprise records only at its own locations"}
				}
			}
		}
	}
	if s.Persons != nil {
		known := map[string]bool{}
		for i, e := range b.Events {
			for _, ref := range personRefsIn(e.Doc) {
				if known[ref] {
					continue
				}
				if err := s.Persons.Known(ctx, ref); err != nil {
					return at(err, "epcisBody.eventList["+strconv.Itoa(i)+"]")
				}
				known[ref] = true
			}
		}
	}
	return nil
}

type located struct{ field, value string }

func locationsOf(e *epcis.Event) []located {
	var out []located
	if e.BizLocation != nil && e.BizLocation.ID != "" {
		out = append(out, located{"bizLocation.id", e.BizLocation.ID})
	}
	if e.ReadPoint != nil && e.ReadPoint.ID != "" {
		out = append(out, located{"readPoint.id", e.ReadPoint.ID})
	}
	return out
}

// personRefsIn returns the person references in an encoded event.
func personRefsIn(doc []byte) []string {
	var out []string
	for rest := doc; ; {
		i := bytes.Index(rest, []byte(personRefPrefix))
		if i < 0 {
			return out
		}
		j := i + len(personRefPrefix)
		for j < len(rest) && (rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= '2' && rest[j] <= '7') {
			j++
		}
		out = append(out, string(rest[i:j]))
		rest = rest[j:]
	}
}
