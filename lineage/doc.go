// Package lineage keeps, from the events as they are captured, where every code came from
// (backward) and where it went (forward), so that a trace is a walk over an in-memory graph
// and never a scan of events at query time. It is pure: no network, no database. The
// capture path calls Index.Apply for each stored event in Seq order and Index.Declare when
// an error declaration marks a stored event; the query side calls Index.Trace.
//
// # Edges
//
// Identifiers are the canonical forms of package codes (capture normalises them). Every
// non-declared event adds edges of four kinds (EdgesOf gives them for one event):
//
//   - Contains, parent → child: an AggregationEvent with action ADD or OBSERVE and a
//     parentID puts each childEPC and each childQuantityList epcClass in the parent from
//     its eventTime. An AggregationEvent DELETE closes them: the listed children, or all
//     children when it lists none. A DELETE at time tD closes an ADD/OBSERVE edge started
//     at tA when tD > tA, or tD == tA and the DELETE has the greater Seq; the edge ends at
//     the earliest such DELETE (so captures out of event-time order still give the same
//     intervals). A Contains edge holds at t when Start <= t < End.
//   - Transforms, input → output: a TransformationEvent turns every input (inputEPCList,
//     inputQuantityList epcClass) into every output (outputEPCList, outputQuantityList
//     epcClass). Events sharing a transformationID form one transformation: the inputs of
//     any of them lead to the outputs of any of them. The index stores a transformation
//     as one hyperedge (n+m slots, not n×m edges); a trace reports input → output edges, with
//     the Seq of the event that lists the output, and lists both events.
//   - Transfers, source → identifier → destination: an event of any type with a
//     sourceList or destinationList moves each of its identifiers (parentID, epcList,
//     childEPCs, input and output lists, all quantity-list classes) from each source and to
//     each destination. The party → party flow for an identifier is that two-edge path.
//   - MemberOf, instance → lot: an ObjectEvent (not DELETE) or TransformationEvent whose
//     ILMD has a top-level field with local name "lot" or "lotNumber" (cbvmda:lotNumber
//     included) makes each serialised trade item (01 GTIN + 21 serial) of its epcList or
//     outputEPCList a member of lot 01 GTIN + 10 lot. Without ILMD, when the event's
//     quantity list (quantityList or outputQuantityList) names exactly one lot of the
//     item's GTIN, the item is a member of that lot.
//
// Events that carry an errorDeclaration add nothing; Index.Declare(seq) makes the edges
// of the declared event stop counting (a declared DELETE no longer closes anything).
//
// # Trace
//
// Backward follows edges against the flow of goods (output → input, identifier → source,
// instance → lot), Forward with it (input → output, identifier → destination, lot →
// instance); Both does both at every step. Containment is followed both ways in either
// direction, because a child travels with its container (its sources and destinations are
// the container's) and a container's contents are part of its trace; but a walk that went
// up from a child to its container does not come back down to the container's other
// children. With a time of interest (at non-zero) only Contains edges holding at that time
// are followed; the other edges record events, which stay true. With at zero every edge
// counts, whatever its time bounds. Party, location and class (bare GTIN) nodes are
// reported but not walked through unless they are the root: they join unrelated goods.
// depth counts hops (a transformation is one hop); depth <= 0 is unlimited. The root is
// always reported at depth 0.
//
// Node kinds come from the identifier's form (SSCC container, serialised item instance,
// lot, bare GTIN class, GLN location 414, party 417, GRAI with serial container), else
// from its roles: a source or destination (party, or location for type "location"), the
// parentID of an AggregationEvent (container), otherwise instance.
//
// # Representation
//
// Nothing is a heap object per identifier or per edge; the index is a few large slices.
//
//   - An identifier is a byte record in 1 MiB chunks: the head of its list (4 bytes),
//     its kind (1) and its name, whose id is the record's offset. Names drop the Digital
//     Link stem, and a trailing run of up to 9 digits is stored as a varint after the
//     varint id of the prefix before it ("/01/06945678002008/21/" + serial), so a GS1
//     code takes 4–8 bytes. An open-addressing table of uint32 ids, kept 53–80% full,
//     finds a name.
//   - An event is one or a few hyperedges of uint32 words in 256 KiB chunks, not n×m
//     edges: a first word (kind, flags, list lengths), the seq, times where the kind
//     has them, then one slot (identifier, next) per member. The next fields chain all
//     slots of one identifier, newest first, so the index needs no adjacency lists; a
//     bitmap with one bit per word marks where hyperedges start, so a slot finds its
//     hyperedge by a backward bit scan. Kinds: Contains [parent][children] with start
//     and end; Unpack [parent] and the listed children (or a pointer to the Contains
//     hyperedge with exactly those children); Transforms [hub?][lot?][inputs][outputs],
//     where the lot slot says every output is a member of that lot; Transfers
//     [party set][objects]; MemberOf [lot][items]; Observe [identifiers], the
//     identifiers an event names but links into none of its other hyperedges (an
//     inspection, a retail sale), which walks ignore and EventsOf reads, so that every
//     event naming an identifier hangs off its list. Lists longer than 4095 are split.
//   - Times are whole seconds since 2000 in one word when they are, else int64
//     nanoseconds in two. A Contains hyperedge keeps one end for all its children; when
//     unpacks end its children at different times (or an end does not fit one word), it
//     is marked mixed and each child's end is computed from the parent's unpacks.
//   - Hidden nodes join what several events share: a transformationID's hub (its name
//     is NUL + the ID, so no code can look it up), and a party set, the sources and
//     destinations of a transfer, named by their ids, which its hSet hyperedges link to
//     each party once. A shipment then costs one slot for all its parties.
//
// # Cost
//
// Applying an event is O(its identifiers); a trace reads only the lists of the
// identifiers it reaches, so its cost depends on the size of the trace, not of the index.
// Resident heap (HeapInuse after GC, go test ./lineage -run XXX -bench Memory
// -benchtime 1x, 1M events): 60.6 MB per million events on the benchmark chain (2.5M
// edges, 1.4M identifiers) and 64.2 MB on the farm-to-table stories of package workload
// (5.7M edges, 1.1M identifiers; 59.5 MB in the same run without Observe hyperedges),
// against 182.4 and 335.8 MB for the earlier
// representation of 28-byte edges, 16-byte spans and maps (baseline_test.go) in the same
// run. A trace reuses its scratch maps from a pool, so it allocates little beyond its
// result: on the chain (-bench TraceDepth, both indexes in one run) depth-3 traces take
// 6–8 µs mean against 12–15 µs before, depth-6 traces 16–20 µs against 25–35 µs.
package lineage
