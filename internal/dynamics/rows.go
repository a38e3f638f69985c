package dynamics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// rowsAnnotations asks for the organisation's labels along with the codes, so that a list of records can
// show owners, lookups and choices by name (the "<column>@OData.Community.Display.V1.FormattedValue"
// keys of each row).
const rowsAnnotations = "OData.Community.Display.V1.FormattedValue"

// listRows reads every page of a collection query, following each @odata.nextLink as given. Each row
// is the record as the service wrote it, annotations included; numbers are json.Number. The list is
// empty, not nil, when nothing matches. what names the list in messages.
func (c *Client) listRows(ctx context.Context, first, what string) ([]map[string]any, error) {
	rows := []map[string]any{}
	prefer := "odata.maxpagesize=" + strconv.Itoa(c.opts.PageSize) + `,odata.include-annotations="` + rowsAnnotations + `"`
	next := first
	for page := 1; next != ""; page++ {
		if page > maxPages {
			return nil, fmt.Errorf("dynamics: more than %d pages of %s", maxPages, what)
		}
		start, link := len(rows), ""
		r := &request{method: http.MethodGet, url: next, prefer: prefer, read: func(resp *http.Response, body io.Reader) error {
			if err := checkJSON(resp); err != nil {
				return err
			}
			var err error
			rows, link, err = decodeRowsPage(body, rows[:start], what)
			return err
		}}
		if err := c.do(ctx, r); err != nil {
			return nil, err
		}
		var err error
		if next, err = c.followableFor(what, next, link); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// decodeRowsPage reads one page of records as maps, appended to out, and returns the next link.
// A row that is not a JSON object is refused.
func decodeRowsPage(r io.Reader, out []map[string]any, what string) ([]map[string]any, string, error) {
	next, err := decodePage(r, what, func(dec *json.Decoder) error {
		var row map[string]any
		if err := dec.Decode(&row); err != nil {
			return fmt.Errorf("row %d: %w", len(out)+1, err)
		}
		if row == nil {
			return fmt.Errorf("row %d is null", len(out)+1)
		}
		out = append(out, row)
		return nil
	})
	return out, next, err
}

// validName reports whether s can be a Dataverse schema name in a URL or a body: a letter or an
// underscore, then letters, digits and underscores. Checking it keeps settings from reshaping a
// request (a "/", "?" or "(" in an entity set name would).
func validName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// checkNames refuses a schema name that is not one; each pair is what the name is, then the name.
func checkNames(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !validName(pairs[i+1]) {
			return fmt.Errorf("dynamics: %s %q is not a schema name", pairs[i], oneLine(pairs[i+1], 40, ""))
		}
	}
	return nil
}

// selectList writes the columns of a $select, each checked, without repeats; "" when there are none.
func selectList(columns []string) (string, error) {
	seen := make(map[string]bool, len(columns))
	list := make([]string, 0, len(columns))
	for _, col := range columns {
		if err := checkNames("column", col); err != nil {
			return "", err
		}
		if !seen[col] {
			seen[col] = true
			list = append(list, col)
		}
	}
	return strings.Join(list, ","), nil
}

// collectionURL is the address of a query on an entity set. Options come in pairs, name then value,
// and an empty value leaves its option out.
func (c *Client) collectionURL(set string, options ...string) string {
	var b strings.Builder
	b.WriteString(c.api + set)
	sep := "?"
	for i := 0; i+1 < len(options); i += 2 {
		if options[i+1] == "" {
			continue
		}
		b.WriteString(sep + options[i] + "=" + escapeQuery(options[i+1]))
		sep = "&"
	}
	return b.String()
}

// marshalBody writes a request body. HTML is not escaped: the text of a note reads as typed.
func marshalBody(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("dynamics: the request body cannot be written: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// guidFromEntityID reads the record's GUID from an OData-EntityId header of the form
// <org>/api/data/v9.2/<set>(<guid>). It returns "" for anything else, such as the alternate-key form
// <set>(<key>='…') that an upsert by key may answer with.
func guidFromEntityID(header, set string) string {
	v := strings.TrimSpace(header)
	const n = 36
	if len(v) < n+2 || v[len(v)-1] != ')' || v[len(v)-n-2] != '(' {
		return ""
	}
	id, prefix := v[len(v)-n-1:len(v)-1], v[:len(v)-n-2]
	if !isGUID(id) || len(prefix) <= len(set) || !strings.EqualFold(prefix[len(prefix)-len(set)-1:], "/"+set) {
		return ""
	}
	return id
}

// decodeRecordID finds the primary key in one record read with $select=<keyColumn>: the service adds
// the primary key to the columns selected, so it is the one plain property, other than the key
// column and lookups (_x_value), whose value is a GUID.
func decodeRecordID(r io.Reader, keyColumn string) (string, error) {
	const what = "the record"
	var props map[string]json.RawMessage
	if err := json.NewDecoder(r).Decode(&props); err != nil {
		return "", malformed(what, err)
	}
	id := ""
	for name, raw := range props {
		if strings.Contains(name, "@") || strings.HasPrefix(name, "_") || strings.EqualFold(name, keyColumn) {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil || !isGUID(s) {
			continue
		}
		if id != "" {
			return "", malformed(what, errors.New("more than one GUID besides the key"))
		}
		id = s
	}
	if id == "" {
		return "", malformed(what, errors.New("no primary key"))
	}
	return id, nil
}
