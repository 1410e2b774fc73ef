package store

import (
	"context"
	"time"
)

// RecallFlag says that an identifier is affected by an open recall: the public page warns
// on it.
type RecallFlag struct {
	RecallID string
	ID       string // canonical URI of the affected identifier
	Reason   string
	Since    time.Time
}

// Recall states.
const (
	RecallOpen   = "open"
	RecallClosed = "closed"
)

// Holder states, in the order a holder normally goes through them.
const (
	HolderNotified     = "notified"
	HolderAcknowledged = "acknowledged"
	HolderReturned     = "returned"
	HolderDestroyed    = "destroyed"
)

// Recall is a recall as kept: what was recalled and why, who holds affected goods, which
// identifiers it flags and which events it covers. The recall service decides all of it
// at creation; a store only keeps it.
type Recall struct {
	ID        string       `json:"id"`
	Reason    string       `json:"reason"`
	Codes     []RecallCode `json:"codes"`
	Subject   string       `json:"createdBy,omitempty"`
	CreatedAt time.Time    `json:"createdAt"`
	Status    string       `json:"status"` // RecallOpen or RecallClosed
	ClosedAt  time.Time    `json:"closedAt,omitzero"`
	// Holders, Identifiers and Seqs are written by CreateRecall and read by Recall;
	// Recalls leaves them empty.
	Holders     []*RecallHolder `json:"holders"`
	Identifiers []string        `json:"identifiers"`
	Seqs        []int64         `json:"-"`
}

// RecallCode is one code a recall was asked for: as given and in canonical form.
type RecallCode struct {
	Given     string `json:"given"`
	Canonical string `json:"canonical"`
}

// RecallHolder is a party that received affected goods, and where its part of the recall
// stands.
type RecallHolder struct {
	// Party is the party's URI, or a location's URI when the events name no party for it.
	Party     string           `json:"party"`
	Name      string           `json:"name,omitempty"`
	Locations []string         `json:"locations"`
	Received  []RecallQuantity `json:"received"`
	Status    string           `json:"status"`
	Returned  float64          `json:"returned"`
	Destroyed float64          `json:"destroyed"`
	UpdatedAt time.Time        `json:"updatedAt"`
	History   []RecallChange   `json:"history"`
}

// RecallQuantity is how much of one product or lot a holder received. UOM is a UN/ECE
// unit code for quantities from quantity lists, empty for a count of instances.
type RecallQuantity struct {
	Product  string   `json:"product,omitempty"` // class: GTIN Digital Link, or the epcClass given
	Lot      string   `json:"lot,omitempty"`
	Quantity *float64 `json:"quantity"` // nil when an event gave a class without a quantity
	UOM      string   `json:"uom,omitempty"`
}

// RecallChange is one status change of a holder.
type RecallChange struct {
	At       time.Time `json:"at"`
	Status   string    `json:"status"`
	Quantity float64   `json:"quantity,omitempty"`
	Note     string    `json:"note,omitempty"`
	Subject  string    `json:"by,omitempty"`
}

// RecallStore keeps recalls, their holders and the flags they put on identifiers.
type RecallStore interface {
	// CreateRecall stores a recall with its holders (and their first history entries),
	// identifiers and event seqs, all or nothing; EConflict if the ID exists.
	CreateRecall(ctx context.Context, r *Recall) error
	// Recall returns one recall with its holders (ordered by party), identifiers (sorted)
	// and seqs (ascending); ENotFound for an unknown ID.
	Recall(ctx context.Context, id string) (*Recall, error)
	// Recalls lists recalls newest first without holders, identifiers or seqs, at most
	// limit, older than beforeID when it is set.
	Recalls(ctx context.Context, beforeID string, limit int) ([]*Recall, error)
	// UpdateRecallHolder reads a holder of a recall, lets change modify it and returns
	// the history entry to append, and writes both, in one transaction, so that
	// concurrent updates of one holder take turns. An error of change stores nothing and
	// is returned as is. ENotFound when the recall has no such holder.
	UpdateRecallHolder(ctx context.Context, recallID, party string, change func(r *Recall, h *RecallHolder) (RecallChange, error)) (*RecallHolder, error)
	// CloseRecall sets a recall's status to closed at the given time: its flags stop
	// counting. ENotFound for an unknown ID; EConflict when it is already closed.
	CloseRecall(ctx context.Context, id string, at time.Time) error
	// RecallEvents returns the stored events a recall covers, in seq order, with Seq,
	// Doc, Subject, Declares and DeclaredBy set.
	RecallEvents(ctx context.Context, id string) ([]*Event, error)
	// RecallFlags returns the flags of open recalls on any of ids (canonical URIs), in
	// no particular order; none is not an error.
	RecallFlags(ctx context.Context, ids []string) ([]RecallFlag, error)
	// OpenRecallFlags returns every flag of every open recall.
	OpenRecallFlags(ctx context.Context) ([]RecallFlag, error)
}
