package recall_test

import (
	"context"
	"testing"

	"github.com/zhuisu/zhuisu"
	"github.com/zhuisu/zhuisu/access"
	"github.com/zhuisu/zhuisu/auth"
	"github.com/zhuisu/zhuisu/recall"
	"github.com/zhuisu/zhuisu/store"
)

// oneSubject is a registry holding a single enterprise.
type oneSubject struct{ sub *store.Subject }

func (o oneSubject) Subject(_ context.Context, uscc string) (*store.Subject, error) {
	if o.sub != nil && uscc == o.sub.USCC {
		return o.sub, nil
	}
	return nil, zhuisu.Errorf(zhuisu.ENotFound, "no subject %s", uscc)
}

func TestRecallHolderUpdatesOnlyItsOwnRowNotAnotherHolders(t *testing.T) {
	f := newFixture(t)
	s := f.stories[1]
	ctx := context.Background()
	// Recalled by the recorder of the story; the shop is one of its holders.
	r, err := f.svc.Create(ctx, "91350100M000100Y43", []string{s.rawLot}, "recall")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.shop, s.canteen, s.processor} {
		if holderOf(r, p) == nil {
			t.Fatalf("holder %s missing from the recall", p)
		}
	}
	const shopUSCC = "91350200MA0000SHOP"
	acc := access.New(oneSubject{&store.Subject{USCC: shopUSCC, Locations: []string{s.shop}}})
	sc, err := acc.ScopeOf(ctx, &auth.Principal{Role: auth.RoleEnterprise, Subject: shopUSCC})
	if err != nil {
		t.Fatal(err)
	}
	if !sc.Names(s.shop) || sc.Names(s.canteen) || sc.Names(s.processor) {
		t.Fatalf("scope names shop %v canteen %v processor %v: want only the shop", sc.Names(s.shop), sc.Names(s.canteen), sc.Names(s.processor))
	}

	q := 1.0
	for _, other := range []struct {
		name, party string
		update      recall.HolderUpdate
	}{
		{"CanteenAcknowledged", s.canteen, recall.HolderUpdate{Status: "acknowledged"}},
		{"ProcessorReturned", s.processor, recall.HolderUpdate{Status: "returned", Quantity: &q}},
	} {
		t.Run(other.name, func(t *testing.T) {
			_, err := f.svc.UpdateHolderFor(ctx, sc, shopUSCC, r.ID, other.party, other.update)
			if !zhuisu.IsCode(err, zhuisu.EForbidden) {
				t.Fatalf("shop updating %s: %v, want %s", other.party, err, zhuisu.EForbidden)
			}
		})
	}
	got, err := f.svc.Recall(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.canteen, s.processor} {
		h := holderOf(got, p)
		if h.Status != store.HolderNotified || len(h.History) != 1 || h.Returned != 0 || h.Destroyed != 0 {
			t.Errorf("holder %s changed by another holder: status %s history %d returned %v destroyed %v",
				p, h.Status, len(h.History), h.Returned, h.Destroyed)
		}
	}

	h, err := f.svc.UpdateHolderFor(ctx, sc, shopUSCC, r.ID, s.shop, recall.HolderUpdate{Status: "acknowledged", Note: "已下架"})
	if err != nil {
		t.Fatalf("shop updating its own row: %v", err)
	}
	if h.Status != store.HolderAcknowledged {
		t.Errorf("shop's own row after its update: status %s", h.Status)
	}
	got, err = f.svc.Recall(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sh := holderOf(got, s.shop); sh.Status != store.HolderAcknowledged || len(sh.History) != 2 || sh.History[1].Note != "已下架" {
		t.Errorf("shop's stored row: status %s history %d", sh.Status, len(sh.History))
	}
}
