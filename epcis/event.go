package epcis

import "time"

// EventType names one of the five EPCIS 2.0 event types.
type EventType string

const (
	ObjectEvent         EventType = "ObjectEvent"
	AggregationEvent    EventType = "AggregationEvent"
	TransactionEvent    EventType = "TransactionEvent"
	TransformationEvent EventType = "TransformationEvent"
	AssociationEvent    EventType = "AssociationEvent"
)

// EventTypes lists the event types in the order the standard gives them.
var EventTypes = []EventType{ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent}

// Action values.
const (
	ActionAdd     = "ADD"
	ActionObserve = "OBSERVE"
	ActionDelete  = "DELETE"
)

// Event is one EPCIS 2.0 event of any type. Fields a type does not use stay empty.
//
// Vocabulary values (bizStep, disposition, source/destination and business-transaction
// types, error reasons) are held as the codecs read them after one normalisation: a CBV
// standard value is kept in its bare JSON word ("shipping"), anything else as a full URI.
// Identifiers are held as given by the decoder; the capture service rewrites them to their
// canonical form through package codes.
type Event struct {
	Type                EventType
	EventID             string
	EventTime           time.Time
	EventTimeZoneOffset string    // "+08:00"
	RecordTime          time.Time // set by the server; zero before capture

	CertificationInfo []string
	ErrorDeclaration  *ErrorDeclaration

	ParentID      string
	EPCList       []string
	ChildEPCs     []string
	InputEPCList  []string
	OutputEPCList []string

	QuantityList       []QuantityElement
	ChildQuantityList  []QuantityElement
	InputQuantityList  []QuantityElement
	OutputQuantityList []QuantityElement

	Action           string
	TransformationID string

	BizStep               string
	Disposition           string
	PersistentDisposition *PersistentDisposition

	ReadPoint   *Location
	BizLocation *Location

	BizTransactionList []BizTransaction
	SourceList         []SourceDest
	DestinationList    []SourceDest

	SensorElementList []SensorElement

	// ILMD is instance/lot master data; nil when absent, non-nil (possibly empty) when present.
	ILMD *Extensions

	// Extensions are user fields at event level, in other namespaces, kept in order.
	Extensions Extensions

	// VocabPrefixes maps the prefixes with which vocabulary values of the event (bizStep,
	// disposition, the types of business transactions, sources, destinations, sensor
	// reports, sensor exceptions and components, error reasons) were written as compact
	// URIs to the namespace URIs they stand for: "example" → "https://ns.example.com/epcis/"
	// for type="example:someSensorProperty", the prefix bound by an XML namespace
	// declaration or by the JSON-LD @context. nil when there are none.
	//
	// The values themselves are always held expanded (see above); like Node.Prefix, this
	// keeps only how they were spelled, so that the codecs write them back the same way and
	// the event hash can follow the CBV reference implementation, which hashes such XML
	// values as written (see hash.go). The gs1: and cbv: prefixes of the standard
	// vocabularies, and the other prefixes the codecs bind themselves (epcis:, xsd:, xsi:),
	// are never kept, nor is a prefix that an extension of the same event binds to
	// another namespace.
	VocabPrefixes map[string]string
}

// ErrorDeclaration marks an event as declared erroneous.
type ErrorDeclaration struct {
	DeclarationTime    time.Time
	Reason             string
	CorrectiveEventIDs []string
	Extensions         Extensions
}

// QuantityElement is a quantity of a class of objects. Quantity is nil when not given.
type QuantityElement struct {
	EPCClass string
	Quantity *float64
	UOM      string
}

// PersistentDisposition sets and unsets dispositions that stay until changed.
type PersistentDisposition struct {
	Set   []string
	Unset []string
}

// Location is a read point or business location.
type Location struct {
	ID         string
	Extensions Extensions
}

// BizTransaction is a business transaction reference (invoice, order, voucher).
type BizTransaction struct {
	Type  string
	Value string
}

// SourceDest is one entry of a source or destination list: the flow (流向).
type SourceDest struct {
	Type  string
	Value string
}

// SensorElement groups sensor metadata with its reports.
type SensorElement struct {
	Metadata   *SensorMetadata
	Reports    []SensorReport
	Extensions Extensions
}

// SensorMetadata describes the device and the period of a sensor element.
type SensorMetadata struct {
	Time                 time.Time
	StartTime            time.Time
	EndTime              time.Time
	DeviceID             string
	DeviceMetadata       string
	RawData              string
	DataProcessingMethod string
	BizRules             string
	Extensions           Extensions
}

// SensorReport is one reading. Numeric fields are nil when absent.
type SensorReport struct {
	Type                      string
	Exception                 string
	DeviceID                  string
	DeviceMetadata            string
	RawData                   string
	DataProcessingMethod      string
	BizRules                  string // in the JSON schema's sensorReport; an attribute in XML
	Time                      time.Time
	Microorganism             string
	ChemicalSubstance         string
	Value                     *float64
	Component                 string
	StringValue               string
	BooleanValue              *bool
	HexBinaryValue            string
	URIValue                  string
	MinValue                  *float64
	MaxValue                  *float64
	MeanValue                 *float64
	SDev                      *float64
	PercRank                  *float64
	PercValue                 *float64
	UOM                       string
	CoordinateReferenceSystem string
	Extensions                Extensions
}

// Extensions is an ordered list of user-defined elements.
type Extensions []Node

// Node is one user-defined element: a namespaced name with either a scalar value or
// child elements. It carries enough to write the element back in either syntax unchanged.
type Node struct {
	Space string // namespace URI, e.g. "https://ns.example.com/epcis/"
	Local string // local name, e.g. "myField"
	// Prefix is the prefix the document used for Space, kept so output looks like input.
	Prefix string
	Kind   NodeKind
	Value  string // text of a scalar (numbers and booleans in their lexical form)
	// Children of an object node, in order. For a JSON array (Kind == KindList) the items,
	// each with the same Space and Local as the list.
	Children []Node
	// Attrs are XML attributes other than namespace declarations, kept for round trip.
	Attrs []Attr
}

// NodeKind says how a node's value was written.
type NodeKind uint8

const (
	KindString NodeKind = iota
	KindNumber
	KindBool
	KindNull
	KindObject
	KindList
)

// Attr is an XML attribute of an extension element.
type Attr struct {
	Space, Local, Value string
}

// Document is an EPCISDocument: header fields and its events.
type Document struct {
	SchemaVersion string
	CreationDate  time.Time
	// Namespaces maps prefixes declared by the document's context to namespace URIs.
	Namespaces map[string]string
	Events     []*Event
}

// Limits bound what a decoder accepts, so one request cannot exhaust the server.
type Limits struct {
	MaxEvents int // events per document
	MaxDepth  int // nesting depth of objects and elements
	// AnyXMLOrder makes DecodeXML accept the standard elements of an event in any order.
	// By default it enforces the order of the EPCIS 2.0 XSD, as schema validation would;
	// some tools (OpenEPCIS's JumbledFieldsOrder example, the event-hash reference
	// examples) do not follow it.
	AnyXMLOrder bool
}

// DefaultLimits are used when a caller passes a zero Limits.
var DefaultLimits = Limits{MaxEvents: 10000, MaxDepth: 32}
