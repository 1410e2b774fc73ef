package epcis

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/zhuisu/zhuisu"
)

// Exception names of the EPCIS 2.0 REST binding carried in zhuisu.Error.Kind.
const (
	KindValidation   = "ValidationException"
	KindCaptureLimit = "CaptureLimitExceededException"
)

// newValidationError returns the error every decode and validation failure is reported as.
func newValidationError(field, format string, args ...any) *zhuisu.Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &zhuisu.Error{Code: zhuisu.EInvalid, Kind: KindValidation, Field: field, Message: msg}
}

// newLimitError reports a document beyond the decoder's Limits.
func newLimitError(field, format string, args ...any) *zhuisu.Error {
	return &zhuisu.Error{Code: zhuisu.ETooLarge, Kind: KindCaptureLimit, Field: field, Message: fmt.Sprintf(format, args...)}
}

// prefixField puts where an event sits in front of the field of an error from Validate.
func prefixField(err error, prefix string) error {
	if ze, ok := err.(*zhuisu.Error); ok && prefix != "" {
		c := *ze
		if c.Field == "" {
			c.Field = prefix
		} else {
			c.Field = prefix + "." + c.Field
		}
		return &c
	}
	return err
}

func (l Limits) withDefaults() Limits {
	if l.MaxEvents <= 0 {
		l.MaxEvents = DefaultLimits.MaxEvents
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	return l
}

// ---- event fields ----

// fieldBit identifies a standard event-level field, for presence and per-type checks.
type fieldBit uint32

const (
	fldType fieldBit = 1 << iota
	fldEventTime
	fldRecordTime
	fldEventTimeZoneOffset
	fldEventID
	fldCertificationInfo
	fldErrorDeclaration
	fldParentID
	fldEPCList
	fldChildEPCs
	fldInputEPCList
	fldOutputEPCList
	fldQuantityList
	fldChildQuantityList
	fldInputQuantityList
	fldOutputQuantityList
	fldAction
	fldTransformationID
	fldBizStep
	fldDisposition
	fldPersistentDisposition
	fldReadPoint
	fldBizLocation
	fldBizTransactionList
	fldSourceList
	fldDestinationList
	fldSensorElementList
	fldILMD
	fieldCount = iota
)

var fieldNames = [fieldCount]string{"type", "eventTime", "recordTime", "eventTimeZoneOffset", "eventID",
	"certificationInfo", "errorDeclaration", "parentID", "epcList", "childEPCs", "inputEPCList",
	"outputEPCList", "quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList",
	"action", "transformationID", "bizStep", "disposition", "persistentDisposition", "readPoint",
	"bizLocation", "bizTransactionList", "sourceList", "destinationList", "sensorElementList", "ilmd"}

func (f fieldBit) name() string {
	for i := 0; i < fieldCount; i++ {
		if f&(1<<i) != 0 {
			return fieldNames[i]
		}
	}
	return ""
}

const commonFields = fldType | fldEventTime | fldRecordTime | fldEventTimeZoneOffset | fldEventID | fldCertificationInfo | fldErrorDeclaration
const whatWhereWhy = fldBizStep | fldDisposition | fldPersistentDisposition | fldReadPoint | fldBizLocation | fldBizTransactionList | fldSourceList | fldDestinationList | fldSensorElementList

// allowedFields lists the standard fields of each event type (JSON schema and XSD; the
// ratified schema allows persistentDisposition on every type, as the XSD does).
func allowedFields(t EventType) fieldBit {
	switch t {
	case ObjectEvent:
		return commonFields | whatWhereWhy | fldEPCList | fldQuantityList | fldAction | fldILMD
	case AggregationEvent, AssociationEvent:
		return commonFields | whatWhereWhy | fldParentID | fldChildEPCs | fldChildQuantityList | fldAction
	case TransactionEvent:
		return commonFields | whatWhereWhy | fldParentID | fldEPCList | fldQuantityList | fldAction
	case TransformationEvent:
		return commonFields | whatWhereWhy | fldInputEPCList | fldOutputEPCList | fldInputQuantityList | fldOutputQuantityList | fldTransformationID | fldILMD
	}
	return commonFields
}

// modelFields returns the standard fields an event holds values for.
func modelFields(e *Event) fieldBit {
	var f fieldBit
	set := func(b fieldBit, present bool) {
		if present {
			f |= b
		}
	}
	set(fldType, e.Type != "")
	set(fldEventTime, !e.EventTime.IsZero())
	set(fldRecordTime, !e.RecordTime.IsZero())
	set(fldEventTimeZoneOffset, e.EventTimeZoneOffset != "")
	set(fldEventID, e.EventID != "")
	set(fldCertificationInfo, len(e.CertificationInfo) > 0)
	set(fldErrorDeclaration, e.ErrorDeclaration != nil)
	set(fldParentID, e.ParentID != "")
	set(fldEPCList, len(e.EPCList) > 0)
	set(fldChildEPCs, len(e.ChildEPCs) > 0)
	set(fldInputEPCList, len(e.InputEPCList) > 0)
	set(fldOutputEPCList, len(e.OutputEPCList) > 0)
	set(fldQuantityList, len(e.QuantityList) > 0)
	set(fldChildQuantityList, len(e.ChildQuantityList) > 0)
	set(fldInputQuantityList, len(e.InputQuantityList) > 0)
	set(fldOutputQuantityList, len(e.OutputQuantityList) > 0)
	set(fldAction, e.Action != "")
	set(fldTransformationID, e.TransformationID != "")
	set(fldBizStep, e.BizStep != "")
	set(fldDisposition, e.Disposition != "")
	set(fldPersistentDisposition, e.PersistentDisposition != nil)
	set(fldReadPoint, e.ReadPoint != nil)
	set(fldBizLocation, e.BizLocation != nil)
	set(fldBizTransactionList, len(e.BizTransactionList) > 0)
	set(fldSourceList, len(e.SourceList) > 0)
	set(fldDestinationList, len(e.DestinationList) > 0)
	set(fldSensorElementList, len(e.SensorElementList) > 0)
	set(fldILMD, e.ILMD != nil)
	return f
}

func knownEventType(t EventType) bool {
	switch t {
	case ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent:
		return true
	}
	return false
}

// ---- Validate ----

// Validate checks one event's structure and values: the fields its type requires and
// allows, the action, the time-zone offset, URIs where the standard requires URIs,
// vocabulary values, quantities and sensor values, and the names of user extensions.
// Errors are *zhuisu.Error with Code EInvalid; Field is the path inside the event
// ("quantityList[0].uom").
func (e *Event) Validate() error {
	if e == nil {
		return newValidationError("", "event is missing")
	}
	if !knownEventType(e.Type) {
		if e.Type == "" {
			return newValidationError("type", "type is required: one of ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent")
		}
		return newValidationError("type", "unknown event type %q: expected one of ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent", string(e.Type))
	}
	if extra := modelFields(e) &^ allowedFields(e.Type); extra != 0 {
		n := extra.name()
		return newValidationError(n, "%s is not a field of %s", n, e.Type)
	}
	if e.EventTime.IsZero() {
		return newValidationError("eventTime", "eventTime is required")
	}
	if e.EventTimeZoneOffset == "" {
		return newValidationError("eventTimeZoneOffset", "eventTimeZoneOffset is required")
	}
	if !validTimeZoneOffset(e.EventTimeZoneOffset) {
		return newValidationError("eventTimeZoneOffset", "eventTimeZoneOffset %q is not a UTC offset of the form +hh:mm or -hh:mm between -14:00 and +14:00", e.EventTimeZoneOffset)
	}
	if e.EventID != "" && !isAbsURI(e.EventID) {
		return newValidationError("eventID", "eventID %q is not an absolute URI", e.EventID)
	}
	if err := validateURIList("certificationInfo", e.CertificationInfo); err != nil {
		return err
	}
	if d := e.ErrorDeclaration; d != nil {
		if d.DeclarationTime.IsZero() {
			return newValidationError("errorDeclaration.declarationTime", "errorDeclaration.declarationTime is required")
		}
		if err := validateVocab("errorDeclaration.reason", VocabErrorReason, d.Reason); err != nil {
			return err
		}
		if err := validateURIList("errorDeclaration.correctiveEventIDs", d.CorrectiveEventIDs); err != nil {
			return err
		}
		if err := validateExtensions("errorDeclaration", d.Extensions, true); err != nil {
			return err
		}
	}

	// Action.
	if e.Type != TransformationEvent {
		switch e.Action {
		case ActionAdd, ActionObserve, ActionDelete:
		case "":
			return newValidationError("action", "action is required for %s: one of ADD, OBSERVE, DELETE", e.Type)
		default:
			return newValidationError("action", "action %q is not one of ADD, OBSERVE, DELETE", e.Action)
		}
	}

	// What: identifiers and quantities the type requires.
	if err := e.validateWhat(); err != nil {
		return err
	}
	if e.ParentID != "" && !isAbsURI(e.ParentID) {
		return newValidationError("parentID", "parentID %q is not an absolute URI", e.ParentID)
	}
	for _, l := range [...]struct {
		name string
		ids  []string
	}{{"epcList", e.EPCList}, {"childEPCs", e.ChildEPCs}, {"inputEPCList", e.InputEPCList}, {"outputEPCList", e.OutputEPCList}} {
		if err := validateURIList(l.name, l.ids); err != nil {
			return err
		}
	}
	for _, l := range [...]struct {
		name string
		qs   []QuantityElement
	}{{"quantityList", e.QuantityList}, {"childQuantityList", e.ChildQuantityList}, {"inputQuantityList", e.InputQuantityList}, {"outputQuantityList", e.OutputQuantityList}} {
		for i := range l.qs {
			if err := validateQuantity(&l.qs[i]); err != nil {
				return prefixField(err, fmt.Sprintf("%s[%d]", l.name, i))
			}
		}
	}
	if e.TransformationID != "" && !isAbsURI(e.TransformationID) {
		return newValidationError("transformationID", "transformationID %q is not an absolute URI", e.TransformationID)
	}

	// Why.
	if err := validateVocab("bizStep", VocabBizStep, e.BizStep); err != nil {
		return err
	}
	if err := validateVocab("disposition", VocabDisposition, e.Disposition); err != nil {
		return err
	}
	if p := e.PersistentDisposition; p != nil {
		if len(p.Set) == 0 && len(p.Unset) == 0 {
			return newValidationError("persistentDisposition", "persistentDisposition needs a non-empty set or unset list")
		}
		for i, d := range p.Set {
			if err := validateVocab("", VocabDisposition, d); err != nil {
				return prefixField(err, fmt.Sprintf("persistentDisposition.set[%d]", i))
			}
		}
		for i, d := range p.Unset {
			if err := validateVocab("", VocabDisposition, d); err != nil {
				return prefixField(err, fmt.Sprintf("persistentDisposition.unset[%d]", i))
			}
		}
	}
	for i, bt := range e.BizTransactionList {
		if bt.Value == "" {
			return newValidationError(fmt.Sprintf("bizTransactionList[%d].bizTransaction", i), "bizTransaction is required")
		}
		if !isAbsURI(bt.Value) {
			return newValidationError(fmt.Sprintf("bizTransactionList[%d].bizTransaction", i), "business transaction %q is not an absolute URI", bt.Value)
		}
		if err := validateVocab("type", VocabBizTransaction, bt.Type); err != nil {
			return prefixField(err, fmt.Sprintf("bizTransactionList[%d]", i))
		}
	}
	for _, l := range [...]struct {
		name, elem string
		sd         []SourceDest
	}{{"sourceList", "source", e.SourceList}, {"destinationList", "destination", e.DestinationList}} {
		for i, sd := range l.sd {
			var err error
			switch {
			case sd.Type == "":
				err = newValidationError("type", "%s type is required", l.elem)
			case sd.Value == "":
				err = newValidationError(l.elem, "%s is required", l.elem)
			case !isAbsURI(sd.Value):
				err = newValidationError(l.elem, "%s %q is not an absolute URI", l.elem, sd.Value)
			default:
				err = validateVocab("type", VocabSourceDest, sd.Type)
			}
			if err != nil {
				return prefixField(err, fmt.Sprintf("%s[%d]", l.name, i))
			}
		}
	}

	// Where.
	for _, l := range [...]struct {
		name string
		loc  *Location
	}{{"readPoint", e.ReadPoint}, {"bizLocation", e.BizLocation}} {
		if l.loc == nil {
			continue
		}
		if l.loc.ID == "" {
			return newValidationError(l.name+".id", "%s.id is required", l.name)
		}
		if !isAbsURI(l.loc.ID) {
			return newValidationError(l.name+".id", "%s.id %q is not an absolute URI", l.name, l.loc.ID)
		}
		if err := validateExtensions(l.name, l.loc.Extensions, true); err != nil {
			return err
		}
	}

	// Sensors.
	for i := range e.SensorElementList {
		if err := validateSensorElement(&e.SensorElementList[i]); err != nil {
			return prefixField(err, fmt.Sprintf("sensorElementList[%d]", i))
		}
	}

	// ILMD.
	if e.ILMD != nil {
		if e.Type == ObjectEvent && e.Action != ActionAdd {
			return newValidationError("ilmd", "ilmd is only allowed in an ObjectEvent with action ADD, not %s", e.Action)
		}
		if err := validateExtensions("ilmd", *e.ILMD, true); err != nil {
			return err
		}
	}
	return validateExtensions("", e.Extensions, true)
}

func (e *Event) validateWhat() error {
	switch e.Type {
	case ObjectEvent:
		if len(e.EPCList) == 0 && len(e.QuantityList) == 0 && (len(e.SensorElementList) == 0 || e.ReadPoint == nil) {
			return newValidationError("epcList", "an ObjectEvent needs a non-empty epcList or quantityList (or, for a sensor-only event, a sensorElementList and a readPoint)")
		}
	case AggregationEvent, AssociationEvent:
		if e.Type == AssociationEvent && e.ParentID == "" {
			return newValidationError("parentID", "parentID is required for an AssociationEvent")
		}
		if e.Type == AggregationEvent && e.ParentID == "" && e.Action != ActionObserve {
			return newValidationError("parentID", "parentID is required for an AggregationEvent with action %s", e.Action)
		}
		if len(e.ChildEPCs) == 0 && len(e.ChildQuantityList) == 0 && e.Action != ActionDelete {
			return newValidationError("childEPCs", "an %s with action %s needs a non-empty childEPCs or childQuantityList", e.Type, e.Action)
		}
	case TransactionEvent:
		if len(e.BizTransactionList) == 0 {
			return newValidationError("bizTransactionList", "a TransactionEvent needs a non-empty bizTransactionList")
		}
		if len(e.EPCList) == 0 && len(e.QuantityList) == 0 && e.Action != ActionDelete {
			return newValidationError("epcList", "a TransactionEvent with action %s needs a non-empty epcList or quantityList", e.Action)
		}
	case TransformationEvent:
		in := len(e.InputEPCList) > 0 || len(e.InputQuantityList) > 0
		out := len(e.OutputEPCList) > 0 || len(e.OutputQuantityList) > 0
		if !(in && out) && !(e.TransformationID != "" && (in || out)) {
			if !in && !out {
				return newValidationError("inputEPCList", "a TransformationEvent needs inputs (inputEPCList or inputQuantityList) and outputs (outputEPCList or outputQuantityList)")
			}
			return newValidationError("transformationID", "a TransformationEvent with only inputs or only outputs needs a transformationID")
		}
	}
	return nil
}

func validateURIList(name string, ids []string) error {
	for i, id := range ids {
		if !isAbsURI(id) {
			return newValidationError(fmt.Sprintf("%s[%d]", name, i), "%s entry %q is not an absolute URI", name, id)
		}
	}
	return nil
}

// validateVocab checks a held vocabulary value: a standard bare word or an absolute URI.
func validateVocab(field string, v Vocabulary, s string) error {
	if s == "" {
		return nil
	}
	if strings.IndexByte(s, ':') < 0 {
		if v.IsStandard(s) && !vocabTables[v].gs1Voc {
			return nil
		}
		if vocabTables[v].gs1Voc && v.IsStandard(s) {
			return newValidationError(field, "%s %q must be held as the full URI %s%s", vocabTables[v].name, s, GS1VocPrefix, s)
		}
		return newValidationError(field, "%q is not a standard %s; a non-standard value must be an absolute URI", s, vocabTables[v].name)
	}
	if !isAbsURI(s) {
		return newValidationError(field, "%s %q is not an absolute URI", vocabTables[v].name, s)
	}
	return nil
}

func validateQuantity(q *QuantityElement) error {
	if q.EPCClass == "" {
		return newValidationError("epcClass", "epcClass is required")
	}
	if !isAbsURI(q.EPCClass) {
		return newValidationError("epcClass", "epcClass %q is not an absolute URI", q.EPCClass)
	}
	if q.Quantity != nil && (math.IsNaN(*q.Quantity) || math.IsInf(*q.Quantity, 0)) {
		return newValidationError("quantity", "quantity must be a finite number")
	}
	if q.UOM != "" {
		if q.Quantity == nil {
			return newValidationError("uom", "uom %q is given without a quantity", q.UOM)
		}
		if !validUOM(q.UOM) {
			return newValidationError("uom", "uom %q is not a UN/ECE Recommendation 20 code (2 or 3 upper-case letters or digits)", q.UOM)
		}
	}
	return nil
}

func validUOM(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func validateSensorElement(se *SensorElement) error {
	if len(se.Reports) == 0 {
		return newValidationError("sensorReport", "a sensorElement needs at least one sensorReport")
	}
	if m := se.Metadata; m != nil {
		for _, u := range [...]struct{ name, v string }{{"deviceID", m.DeviceID}, {"deviceMetadata", m.DeviceMetadata},
			{"rawData", m.RawData}, {"dataProcessingMethod", m.DataProcessingMethod}, {"bizRules", m.BizRules}} {
			if u.v != "" && !isAbsURI(u.v) {
				return newValidationError("sensorMetadata."+u.name, "%s %q is not an absolute URI", u.name, u.v)
			}
		}
		if err := validateExtensions("sensorMetadata", m.Extensions, true); err != nil {
			return err
		}
	}
	for j := range se.Reports {
		if err := validateSensorReport(&se.Reports[j]); err != nil {
			return prefixField(err, fmt.Sprintf("sensorReport[%d]", j))
		}
	}
	return validateExtensions("", se.Extensions, true)
}

func validateSensorReport(r *SensorReport) error {
	if err := validateVocab("type", VocabMeasurementType, r.Type); err != nil {
		return err
	}
	if err := validateVocab("exception", VocabSensorAlert, r.Exception); err != nil {
		return err
	}
	if err := validateVocab("component", VocabComponent, r.Component); err != nil {
		return err
	}
	for _, u := range [...]struct{ name, v string }{{"deviceID", r.DeviceID}, {"deviceMetadata", r.DeviceMetadata},
		{"rawData", r.RawData}, {"dataProcessingMethod", r.DataProcessingMethod}, {"bizRules", r.BizRules}, {"microorganism", r.Microorganism},
		{"chemicalSubstance", r.ChemicalSubstance}, {"uriValue", r.URIValue}, {"coordinateReferenceSystem", r.CoordinateReferenceSystem}} {
		if u.v != "" && !isAbsURI(u.v) {
			return newValidationError(u.name, "%s %q is not an absolute URI", u.name, u.v)
		}
	}
	for _, n := range [...]struct {
		name string
		v    *float64
	}{{"value", r.Value}, {"minValue", r.MinValue}, {"maxValue", r.MaxValue}, {"meanValue", r.MeanValue},
		{"sDev", r.SDev}, {"percRank", r.PercRank}, {"percValue", r.PercValue}} {
		if n.v != nil && (math.IsNaN(*n.v) || math.IsInf(*n.v, 0)) {
			return newValidationError(n.name, "%s must be a finite number", n.name)
		}
	}
	if r.HexBinaryValue != "" && !validHexBinary(r.HexBinaryValue) {
		return newValidationError("hexBinaryValue", "hexBinaryValue %q is not an even number of hexadecimal digits", r.HexBinaryValue)
	}
	return validateExtensions("", r.Extensions, true)
}

func validHexBinary(s string) bool {
	if len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHexDigitByte(s[i]) {
			return false
		}
	}
	return true
}

// validateExtensions checks user extension nodes. Top-level nodes must be namespaced.
func validateExtensions(where string, ext Extensions, top bool) error {
	for i := range ext {
		n := &ext[i]
		if err := validateNode(where, n, top); err != nil {
			return err
		}
	}
	return nil
}

func extNodeName(n *Node) string {
	if n.Prefix != "" {
		return n.Prefix + ":" + n.Local
	}
	if n.Space != "" {
		return n.Space + n.Local
	}
	return n.Local
}

func validateNode(where string, n *Node, top bool) error {
	f := func() string {
		if where != "" {
			return where + "." + extNodeName(n)
		}
		return extNodeName(n)
	}
	if !isNCName(n.Local) {
		return newValidationError(f(), "extension name %q is not a valid XML name", n.Local)
	}
	if n.Prefix != "" && (!isNCName(n.Prefix) || n.Prefix == "xmlns" || n.Prefix == "xml" && n.Space != nsXML) {
		return newValidationError(f(), "extension prefix %q is not a valid XML name or is reserved", n.Prefix)
	}
	if top && n.Space == "" {
		return newValidationError(f(), "user field %q has no namespace: extension fields must be in a namespace other than EPCIS (for example \"example:%s\" with example declared in @context)", n.Local, n.Local)
	}
	switch n.Kind {
	case KindString, KindNull:
	case KindNumber:
		if !isJSONNumberLiteral(n.Value) {
			return newValidationError(f(), "number %q is not a valid JSON number", n.Value)
		}
	case KindBool:
		if n.Value != "true" && n.Value != "false" {
			return newValidationError(f(), "boolean value %q is neither true nor false", n.Value)
		}
	case KindObject:
		for i := range n.Children {
			if err := validateNode("", &n.Children[i], false); err != nil {
				return prefixField(err, f())
			}
		}
	case KindList:
		for j := range n.Children {
			c := &n.Children[j]
			if c.Space != n.Space || c.Local != n.Local {
				return newValidationError(f(), "list item %d is named %q, not %q", j, extNodeName(c), extNodeName(n))
			}
			if err := validateNode("", c, false); err != nil {
				return prefixField(err, fmt.Sprintf("%s[%d]", f(), j))
			}
		}
	default:
		return newValidationError(f(), "unknown node kind %d", n.Kind)
	}
	return nil
}

// isJSONNumberLiteral reports whether s matches the JSON number grammar.
func isJSONNumberLiteral(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return false
	}
	if s[i] == '0' {
		i++
	} else if s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == len(s)
}

// ---- times ----

// validTimeZoneOffset matches ^[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)$.
func validTimeZoneOffset(s string) bool {
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return false
	}
	h1, h2, m1, m2 := s[1], s[2], s[4], s[5]
	if !isDecimalDigitByte(h1) || !isDecimalDigitByte(h2) || !isDecimalDigitByte(m1) || !isDecimalDigitByte(m2) {
		return false
	}
	h := int(h1-'0')*10 + int(h2-'0')
	if h == 14 {
		return m1 == '0' && m2 == '0'
	}
	return h <= 13 && m1 <= '5'
}

func isDecimalDigitByte(c byte) bool { return c >= '0' && c <= '9' }

var fixedZones [2*14*60 + 1]atomic.Pointer[time.Location]

// fixedZoneFor returns a shared fixed zone for an offset in minutes; UTC for zero.
func fixedZoneFor(minutes int) *time.Location {
	if minutes == 0 {
		return time.UTC
	}
	i := minutes + 14*60
	if i < 0 || i >= len(fixedZones) {
		return time.FixedZone("", minutes*60)
	}
	if z := fixedZones[i].Load(); z != nil {
		return z
	}
	z := time.FixedZone("", minutes*60)
	fixedZones[i].CompareAndSwap(nil, z)
	return fixedZones[i].Load()
}

// parseEPCISTime parses an EPCIS DateTimeStamp: yyyy-mm-ddThh:mm:ss[.f+](Z|±hh:mm), the
// offset required. Fractions beyond nanoseconds are truncated. The time keeps its offset
// (a shared fixed zone; UTC for Z and +00:00), so equal inputs give DeepEqual times.
func parseEPCISTime(s string) (time.Time, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(a, b int) int {
		n := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, sec := num(11, 13), num(14, 16), num(17, 19)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	if day > daysInMonth(month, year) {
		return time.Time{}, false
	}
	i := 19
	nsec := 0
	if s[i] == '.' {
		i++
		j := i
		scale := 100000000
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			nsec += int(s[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == j {
			return time.Time{}, false
		}
	}
	if i >= len(s) {
		return time.Time{}, false
	}
	var loc *time.Location
	switch s[i] {
	case 'Z', 'z':
		if i+1 != len(s) {
			return time.Time{}, false
		}
		loc = time.UTC
	case '+', '-':
		if len(s)-i != 6 || s[i+3] != ':' {
			return time.Time{}, false
		}
		oh, om := num(i+1, i+3), num(i+4, i+6)
		if oh < 0 || om < 0 || om > 59 || oh > 14 || (oh == 14 && om != 0) {
			return time.Time{}, false
		}
		off := oh*60 + om
		if s[i] == '-' {
			off = -off
		}
		loc = fixedZoneFor(off)
	default:
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), true
}

func daysInMonth(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// appendEPCISTime appends t in RFC 3339 with nanosecond precision (trailing zeros of the
// fraction dropped) and t's own offset (Z for UTC).
func appendEPCISTime(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(dst, time.RFC3339Nano)
	}
	hour, minute, sec := t.Clock()
	dst = appendPaddedInt(dst, year, 4)
	dst = append(dst, '-')
	dst = appendPaddedInt(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendPaddedInt(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendPaddedInt(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendPaddedInt(dst, minute, 2)
	dst = append(dst, ':')
	dst = appendPaddedInt(dst, sec, 2)
	if ns := t.Nanosecond(); ns != 0 {
		var buf [9]byte
		for i := 8; i >= 0; i-- {
			buf[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 9
		for n > 0 && buf[n-1] == '0' {
			n--
		}
		dst = append(dst, '.')
		dst = append(dst, buf[:n]...)
	}
	_, off := t.Zone()
	if off == 0 {
		return append(dst, 'Z')
	}
	if off < 0 {
		dst = append(dst, '-')
		off = -off
	} else {
		dst = append(dst, '+')
	}
	off /= 60
	dst = appendPaddedInt(dst, off/60, 2)
	dst = append(dst, ':')
	return appendPaddedInt(dst, off%60, 2)
}

func appendPaddedInt(dst []byte, v, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v >= 10 || width > 1 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	buf[i] = byte('0' + v)
	return append(dst, buf[i:]...)
}

// appendFloatShortest appends f in the shortest form that reads back exactly; JSON and xsd:double
// accept the exponent form used for very large or small magnitudes.
func appendFloatShortest(dst []byte, f float64) []byte {
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.AppendFloat(dst, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// xsdOrder lists the standard fields of each event type in the order of the EPCIS 2.0 XSD,
// which the encoders follow in both syntaxes.
func xsdOrder(t EventType) []fieldBit {
	switch t {
	case ObjectEvent:
		return orderObject
	case AggregationEvent:
		return orderAggregation
	case TransactionEvent:
		return orderTransaction
	case TransformationEvent:
		return orderTransformation
	case AssociationEvent:
		return orderAssociation
	}
	return orderBase
}

var (
	orderBase   = []fieldBit{fldEventTime, fldRecordTime, fldEventTimeZoneOffset, fldEventID, fldErrorDeclaration, fldCertificationInfo}
	orderObject = append(append([]fieldBit{}, orderBase...), fldEPCList, fldAction, fldBizStep, fldDisposition, fldReadPoint,
		fldBizLocation, fldBizTransactionList, fldQuantityList, fldSourceList, fldDestinationList, fldSensorElementList,
		fldPersistentDisposition, fldILMD)
	orderAggregation = append(append([]fieldBit{}, orderBase...), fldParentID, fldChildEPCs, fldAction, fldBizStep, fldDisposition,
		fldReadPoint, fldBizLocation, fldBizTransactionList, fldChildQuantityList, fldSourceList, fldDestinationList,
		fldSensorElementList, fldPersistentDisposition)
	orderTransaction = append(append([]fieldBit{}, orderBase...), fldBizTransactionList, fldParentID, fldEPCList, fldAction,
		fldBizStep, fldDisposition, fldReadPoint, fldBizLocation, fldQuantityList, fldSourceList, fldDestinationList,
		fldSensorElementList, fldPersistentDisposition)
	orderTransformation = append(append([]fieldBit{}, orderBase...), fldInputEPCList, fldInputQuantityList, fldOutputEPCList,
		fldOutputQuantityList, fldTransformationID, fldBizStep, fldDisposition, fldReadPoint, fldBizLocation,
		fldBizTransactionList, fldSourceList, fldDestinationList, fldSensorElementList, fldPersistentDisposition, fldILMD)
	orderAssociation = append(append([]fieldBit{}, orderBase...), fldParentID, fldChildEPCs, fldChildQuantityList, fldAction,
		fldBizStep, fldDisposition, fldReadPoint, fldBizLocation, fldBizTransactionList, fldSourceList, fldDestinationList,
		fldSensorElementList, fldPersistentDisposition)
	// orderAll is every field, for writing fields an (invalid) event holds outside its type.
	orderAll = []fieldBit{fldEventTime, fldRecordTime, fldEventTimeZoneOffset, fldEventID, fldErrorDeclaration, fldCertificationInfo,
		fldParentID, fldEPCList, fldChildEPCs, fldInputEPCList, fldInputQuantityList, fldOutputEPCList, fldOutputQuantityList,
		fldTransformationID, fldAction, fldBizStep, fldDisposition, fldReadPoint, fldBizLocation, fldBizTransactionList,
		fldQuantityList, fldChildQuantityList, fldSourceList, fldDestinationList, fldSensorElementList,
		fldPersistentDisposition, fldILMD}
)
