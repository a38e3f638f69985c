package dataverse

import (
	"container/heap"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// serviceDocument lists the entity sets, as GET /api/data/v9.2/ does.
func (s *Server) serviceDocument(q *request, segments int) *odataError {
	if segments > 1 {
		return resourceNotFound("")
	}
	if err := allow(q, "", http.MethodGet); err != nil {
		return err
	}
	names := make([]string, 0, len(s.tables))
	for name := range s.tables {
		names = append(names, name)
	}
	sort.Strings(names)
	var sets []object
	for _, n := range names {
		sets = append(sets, object{{"name", n}, {"kind", "EntitySet"}, {"url", n}})
	}
	writeJSON(q.w, http.StatusOK, object{{"@odata.context", q.base + "$metadata"}, {"value", sets}})
	return nil
}

// whoAmI answers the WhoAmI function: the caller's systemuserid, business unit and organisation.
func (s *Server) whoAmI(q *request) *odataError {
	if err := allow(q, "WhoAmI", http.MethodGet); err != nil {
		return err
	}
	if err := q.q.only(); err != nil {
		return err
	}
	q.w.Header().Set("x-ms-dop-hint", "4")
	writeJSON(q.w, http.StatusOK, object{
		{"@odata.context", q.base + "$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse"},
		{"BusinessUnitId", s.world.Org.BusinessUnitID},
		{"UserId", q.caller},
		{"OrganizationId", s.world.Org.OrganizationID},
	})
	return nil
}

// collectionQuery is a checked query over one table.
type collectionQuery struct {
	sel    []string
	expand []*expandItem
	filter boolNode
	order  []orderKey
	top    int
	count  bool
	cursor *cursor
}

func (s *Server) parseCollectionQuery(t *table, q *queryOptions) (*collectionQuery, *odataError) {
	cq := &collectionQuery{}
	var err *odataError
	sys := q.system
	if v, ok := sys["$select"]; ok {
		if cq.sel, err = parseSelect(t, v); err != nil {
			return nil, err
		}
	}
	if v, ok := sys["$expand"]; ok {
		if cq.expand, err = s.parseExpand(t, v); err != nil {
			return nil, err
		}
	}
	if v, ok := sys["$filter"]; ok {
		if cq.filter, err = s.parseFilter(t, v, q.aliases); err != nil {
			return nil, err
		}
	}
	if v, ok := sys["$orderby"]; ok {
		if cq.order, err = parseOrderby(t, v); err != nil {
			return nil, err
		}
	}
	v, ok := sys["$top"]
	if cq.top, err = parseTop(v, ok); err != nil {
		return nil, err
	}
	v, ok = sys["$count"]
	if cq.count, err = parseCount(v, ok); err != nil {
		return nil, err
	}
	if v, ok := sys["$skiptoken"]; ok {
		if cq.cursor, err = decodeSkiptoken(v, t, cq.order); err != nil {
			return nil, err
		}
	}
	return cq, nil
}

// matching returns the rows that pass the filter, in the query's order.
func (s *Server) matching(t *table, cq *collectionQuery, caller string) []*record {
	ctx := &evalCtx{sc: &s.schema, userID: caller}
	var rows []*record
	for _, r := range t.sortedRows() {
		if cq.filter == nil || cq.filter.eval(ctx, r) {
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return compareRows(t, cq.order, rows[i], rows[j]) < 0 })
	return rows
}

// pageRows returns the first n rows after the cursor, in the query's order, and how many rows pass
// the filter in all. It selects them with a bounded heap instead of sorting every row for every page,
// which made paging through thousands of rows cost pages × rows × log rows.
func (s *Server) pageRows(t *table, cq *collectionQuery, caller string, n int) ([]*record, int) {
	ctx := &evalCtx{sc: &s.schema, userID: caller}
	h := &rowHeap{less: func(a, b *record) bool { return compareRows(t, cq.order, a, b) > 0 }}
	total := 0
	for _, r := range t.rows {
		if cq.filter != nil && !cq.filter.eval(ctx, r) {
			continue
		}
		total++
		if cq.cursor != nil && compareCursor(t, cq.order, r, cq.cursor) <= 0 {
			continue
		}
		if h.Len() < n {
			heap.Push(h, r)
		} else if compareRows(t, cq.order, r, h.rows[0]) < 0 {
			h.rows[0] = r
			heap.Fix(h, 0)
		}
	}
	rows := h.rows
	sort.Slice(rows, func(i, j int) bool { return compareRows(t, cq.order, rows[i], rows[j]) < 0 })
	return rows, total
}

// rowHeap keeps the n first rows seen so far, the last of them on top.
type rowHeap struct {
	rows []*record
	less func(a, b *record) bool // "a comes after b": a max-heap in the query's order
}

func (h *rowHeap) Len() int           { return len(h.rows) }
func (h *rowHeap) Less(i, j int) bool { return h.less(h.rows[i], h.rows[j]) }
func (h *rowHeap) Swap(i, j int)      { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *rowHeap) Push(x any)         { h.rows = append(h.rows, x.(*record)) }
func (h *rowHeap) Pop() any {
	last := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return last
}

// list answers a GET on an entity set: filtered, ordered, paged with @odata.nextLink.
func (s *Server) list(q *request, t *table) *odataError {
	cq, err := s.parseCollectionQuery(t, q.q)
	if err != nil {
		return err
	}
	size, paged := maxPageSize, true
	if q.prefs.maxPageSize > 0 {
		size = q.prefs.maxPageSize // $top is ignored when a page size is asked for
	} else if cq.top >= 0 {
		size, paged = min(cq.top, maxPageSize), false
	}
	rows, total := s.pageRows(t, cq, q.caller, size+1)
	page, more := rows, false
	if len(rows) > size {
		page, more = rows[:size], paged
	}
	body := object{{"@odata.context", contextURL(q.base, t.set, cq.sel, cq.expand, false)}}
	if cq.count {
		body = append(body, field{"@odata.count", min(total, maxPageSize)})
	}
	rd := renderer{sc: &s.schema, ann: q.prefs.annotations}
	values := make([]object, 0, len(page))
	for _, r := range page {
		values = append(values, rd.entity(t, r, cq.sel, cq.expand, true))
	}
	body = append(body, field{"value", values})
	if more {
		pageNo := 1
		if cq.cursor != nil {
			pageNo = cq.cursor.page
		}
		body = append(body, field{"@odata.nextLink", nextLink(q, t, cq, pageNo, page)})
	}
	setApplied(q.w, q.prefs.appliedForRead(q.prefs.maxPageSize > 0))
	writeJSON(q.w, http.StatusOK, body)
	return nil
}

// nextLink repeats the query options as the client sent them and adds the paging cookie.
func nextLink(q *request, t *table, cq *collectionQuery, page int, rows []*record) string {
	query := q.q.withoutSkiptoken()
	if query != "" {
		query += "&"
	}
	token := encodeSkiptoken(page, t, cq.order, rows[0], rows[len(rows)-1])
	return q.base + t.set + "?" + query + "$skiptoken=" + token
}

func setApplied(w http.ResponseWriter, applied []string) {
	if len(applied) > 0 {
		w.Header().Set("Preference-Applied", strings.Join(applied, ","))
	}
}

// count answers set/$count with the number of matching rows as plain text.
func (s *Server) count(q *request, t *table) *odataError {
	if err := q.q.only("$filter"); err != nil {
		return err
	}
	cq, err := s.parseCollectionQuery(t, q.q)
	if err != nil {
		return err
	}
	n := strconv.Itoa(min(len(s.matching(t, cq, q.caller)), maxPageSize))
	setODataHeaders(q.w.Header())
	q.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	q.w.WriteHeader(http.StatusOK)
	_, _ = q.w.Write([]byte(n))
	return nil
}

// keyedQuery reads what a request addressed to one row may carry ($select and $expand) and which
// row it names.
func (s *Server) keyedQuery(q *request, t *table, spec keySpec) (*collectionQuery, keyRef, *odataError) {
	if err := q.q.only("$select", "$expand"); err != nil {
		return nil, keyRef{}, err
	}
	cq, err := s.parseCollectionQuery(t, q.q)
	if err != nil {
		return nil, keyRef{}, err
	}
	ref, err := s.resolveKey(t, spec)
	if err != nil {
		return nil, keyRef{}, err
	}
	return cq, ref, nil
}

// get answers a GET of one row by primary or alternate key.
func (s *Server) get(q *request, t *table, spec keySpec) *odataError {
	cq, ref, err := s.keyedQuery(q, t, spec)
	if err != nil {
		return err
	}
	r := s.find(t, ref)
	if r == nil {
		return ref.notFound(t)
	}
	if inm := q.r.Header.Get("If-None-Match"); inm == etagOf(r) && cq.expand == nil && !q.prefs.annotations.any() {
		setODataHeaders(q.w.Header())
		q.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	s.writeEntity(q, t, r, cq, http.StatusOK, nil)
	return nil
}

// writeEntity answers with one row, as a GET or a write with return=representation does.
func (s *Server) writeEntity(q *request, t *table, r *record, cq *collectionQuery, status int, applied []string) {
	rd := renderer{sc: &s.schema, ann: q.prefs.annotations}
	body := object{{"@odata.context", contextURL(q.base, t.set, cq.sel, cq.expand, true)}}
	body = append(body, rd.entity(t, r, cq.sel, cq.expand, true)...)
	q.w.Header().Set("ETag", etagOf(r))
	setApplied(q.w, append(applied, q.prefs.appliedForRead(false)...))
	writeJSON(q.w, status, body)
}

// compareRows orders two rows by the $orderby keys, then by primary key: a total order, which paging needs.
func compareRows(t *table, keys []orderKey, a, b *record) int {
	for _, k := range keys {
		if c := sortCompare(a.values[k.col.name], b.values[k.col.name]); c != 0 {
			if k.desc {
				return -c
			}
			return c
		}
	}
	return strings.Compare(a.id(t), b.id(t))
}

// compareCursor orders a row against the end of the previous page.
func compareCursor(t *table, keys []orderKey, r *record, c *cursor) int {
	for i, k := range keys {
		if d := sortCompare(r.values[k.col.name], c.values[i]); d != 0 {
			if k.desc {
				return -d
			}
			return d
		}
	}
	return strings.Compare(r.id(t), c.lastID)
}

// sortCompare orders any two values: nulls first (as SQL Server sorts them), then by type family.
func sortCompare(a, b any) int {
	ra, rb := sortRank(a), sortRank(b)
	if ra != rb {
		return ra - rb
	}
	if c, ok := compareValues(a, b); ok {
		return c
	}
	return 0
}

func sortRank(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case bool:
		return 1
	case time.Time:
		return 3
	case string:
		return 4
	}
	return 2
}
