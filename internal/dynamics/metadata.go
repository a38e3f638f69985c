package dynamics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Table is a table's definition, as EntityDefinitions describes it.
type Table struct {
	MetadataID           string
	LogicalName          string // e.g. lmi_session
	SchemaName           string // e.g. lmi_Session
	EntitySetName        string // e.g. lmi_sessions
	PrimaryIDAttribute   string
	PrimaryNameAttribute string
}

// tableSelect are the EntityMetadata properties a Table holds.
const tableSelect = "LogicalName,SchemaName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute"

// TableBySet finds the table whose entity set is set:
// GET EntityDefinitions?$select=…&$filter=EntitySetName eq '<set>'. found is false when there is none.
func (c *Client) TableBySet(ctx context.Context, set string) (t Table, found bool, err error) {
	if err := checkNames("entity set", set); err != nil {
		return Table{}, false, err
	}
	var tables []Table
	u := c.collectionURL("EntityDefinitions", "$select", tableSelect, "$filter", "EntitySetName eq "+quote(set))
	err = c.getMetadata(ctx, u, false, "the table definitions", func(body io.Reader) error {
		var page struct {
			Value []struct {
				MetadataID           string `json:"MetadataId"`
				LogicalName          string
				SchemaName           string
				EntitySetName        string
				PrimaryIDAttribute   string `json:"PrimaryIdAttribute"`
				PrimaryNameAttribute string
			} `json:"value"`
		}
		if err := json.NewDecoder(body).Decode(&page); err != nil {
			return malformed("the table definitions", err)
		}
		for _, v := range page.Value {
			tables = append(tables, Table(v))
		}
		return nil
	})
	if err != nil || len(tables) == 0 {
		return Table{}, false, err
	}
	return tables[0], true, nil
}

// Attribute is one column of a table's definition.
type Attribute struct {
	LogicalName   string
	SchemaName    string
	AttributeType string // String, Memo, Integer, Boolean, DateTime, Lookup, …
}

// Attributes lists the columns of a table: GET EntityDefinitions(LogicalName='<entity>')/Attributes.
func (c *Client) Attributes(ctx context.Context, entity string) ([]Attribute, error) {
	if err := checkNames("table", entity); err != nil {
		return nil, err
	}
	u := c.definitionURL(entity) + "/Attributes?$select=LogicalName,SchemaName,AttributeType"
	var out []Attribute
	err := c.getMetadata(ctx, u, false, "the columns of "+entity, func(body io.Reader) error {
		var page struct {
			Value []Attribute `json:"value"`
		}
		if err := json.NewDecoder(body).Decode(&page); err != nil {
			return malformed("the columns of "+entity, err)
		}
		out = page.Value
		return nil
	})
	return out, err
}

// KeyStatus is an alternate key's EntityKeyIndexStatus.
type KeyStatus string

// The statuses of a key's index.
const (
	KeyPending    KeyStatus = "Pending"
	KeyInProgress KeyStatus = "InProgress"
	KeyActive     KeyStatus = "Active"
	KeyFailed     KeyStatus = "Failed"
)

// EntityKey is an alternate key's definition and the state of its index.
type EntityKey struct {
	MetadataID    string
	LogicalName   string
	SchemaName    string
	KeyAttributes []string
	Status        KeyStatus
}

// keySelect are the EntityKeyMetadata properties an EntityKey holds.
const keySelect = "LogicalName,SchemaName,KeyAttributes,EntityKeyIndexStatus"

type keyRow struct {
	MetadataID    string `json:"MetadataId"`
	LogicalName   string
	SchemaName    string
	KeyAttributes []string
	Status        KeyStatus `json:"EntityKeyIndexStatus"`
}

// EntityKeys lists a table's alternate keys, read with Consistency: Strong so that a key just
// created or reactivated shows its current status.
func (c *Client) EntityKeys(ctx context.Context, entity string) ([]EntityKey, error) {
	if err := checkNames("table", entity); err != nil {
		return nil, err
	}
	u := c.definitionURL(entity) + "/Keys?$select=" + keySelect
	var out []EntityKey
	err := c.getMetadata(ctx, u, true, "the keys of "+entity, func(body io.Reader) error {
		var page struct {
			Value []keyRow `json:"value"`
		}
		if err := json.NewDecoder(body).Decode(&page); err != nil {
			return malformed("the keys of "+entity, err)
		}
		for _, k := range page.Value {
			out = append(out, EntityKey(k))
		}
		return nil
	})
	return out, err
}

// EntityKey reads one alternate key, with Consistency: Strong:
// GET EntityDefinitions(LogicalName='<entity>')/Keys(LogicalName='<key>'). A missing key is an
// error matching ErrNotFound.
func (c *Client) EntityKey(ctx context.Context, entity, key string) (EntityKey, error) {
	if err := checkNames("table", entity, "key", key); err != nil {
		return EntityKey{}, err
	}
	u := c.definitionURL(entity) + "/Keys(LogicalName=" + quote(key) + ")?$select=" + keySelect
	var k keyRow
	err := c.getMetadata(ctx, u, true, "the key "+key, func(body io.Reader) error {
		if err := json.NewDecoder(body).Decode(&k); err != nil {
			return malformed("the key "+key, err)
		}
		return nil
	})
	return EntityKey(k), err
}

// SystemJob is a system job (asyncoperation), as the doctor reports it.
type SystemJob struct {
	ID                string
	Name              string
	StatusCode        int
	Message           string
	FriendlyMessage   string
	ErrorCode         int
	PrimaryEntityType string
	CreatedOn         time.Time
	CompletedOn       time.Time
}

// Operation type and status of a failed key-index job.
const (
	operationKeyIndex = 63 // EntityKey Index Creation
	statusFailed      = 31
)

// FailedKeyIndexJobs lists the failed "EntityKey Index Creation" system jobs, newest first, at most
// limit of them (1 to 5,000).
func (c *Client) FailedKeyIndexJobs(ctx context.Context, limit int) ([]SystemJob, error) {
	if limit < 1 || limit > maxPageSize {
		return nil, fmt.Errorf("dynamics: job limit %d is not between 1 and %d", limit, maxPageSize)
	}
	const what = "the failed key-index jobs"
	u := c.collectionURL("asyncoperations",
		"$select", "asyncoperationid,name,operationtype,statuscode,message,friendlymessage,errorcode,primaryentitytype,createdon,completedon",
		"$filter", fmt.Sprintf("operationtype eq %d and statuscode eq %d", operationKeyIndex, statusFailed),
		"$orderby", "createdon desc", "$top", strconv.Itoa(limit))
	var jobs []SystemJob
	err := c.getMetadata(ctx, u, false, what, func(body io.Reader) error {
		var err error
		jobs, err = decodeJobs(body, what)
		return err
	})
	return jobs, err
}

func decodeJobs(r io.Reader, what string) ([]SystemJob, error) {
	var jobs []SystemJob
	_, err := decodePage(r, what, func(dec *json.Decoder) error {
		var row struct {
			ID                string `json:"asyncoperationid"`
			Name              string `json:"name"`
			StatusCode        int    `json:"statuscode"`
			Message           string `json:"message"`
			FriendlyMessage   string `json:"friendlymessage"`
			ErrorCode         *int   `json:"errorcode"`
			PrimaryEntityType string `json:"primaryentitytype"`
			CreatedOn         string `json:"createdon"`
			CompletedOn       string `json:"completedon"`
		}
		if err := dec.Decode(&row); err != nil {
			return err
		}
		job := SystemJob{
			ID: row.ID, Name: row.Name, StatusCode: row.StatusCode, Message: row.Message,
			FriendlyMessage: row.FriendlyMessage, PrimaryEntityType: row.PrimaryEntityType,
		}
		if row.ErrorCode != nil {
			job.ErrorCode = *row.ErrorCode
		}
		job.CreatedOn, _ = time.Parse(time.RFC3339, row.CreatedOn)
		job.CompletedOn, _ = time.Parse(time.RFC3339, row.CompletedOn)
		jobs = append(jobs, job)
		return nil
	})
	return jobs, err
}

// ReactivateEntityKey submits a new job to build a key's index: POST ReactivateEntityKey
// {"EntityLogicalName","EntityKeyLogicalName"}. Without the privilege it is an error matching
// ErrAccessDenied. It is not sent twice: each call submits a job.
func (c *Client) ReactivateEntityKey(ctx context.Context, entity, key string) error {
	if err := checkNames("table", entity, "key", key); err != nil {
		return err
	}
	body, err := marshalBody(struct {
		EntityLogicalName    string
		EntityKeyLogicalName string
	}{entity, key})
	if err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodPost, url: c.api + "ReactivateEntityKey", body: body})
}

// definitionURL addresses a table's definition by its logical name.
func (c *Client) definitionURL(entity string) string {
	return c.api + "EntityDefinitions(LogicalName=" + quote(entity) + ")"
}

// getMetadata sends a GET for metadata and hands the JSON body to read. strong adds
// Consistency: Strong, which reads past the metadata cache.
func (c *Client) getMetadata(ctx context.Context, u string, strong bool, what string, read func(io.Reader) error) error {
	r := &request{method: http.MethodGet, url: u, strong: strong, read: func(resp *http.Response, body io.Reader) error {
		if err := checkJSON(resp); err != nil {
			return err
		}
		return read(body)
	}}
	if err := c.do(ctx, r); err != nil {
		return fmt.Errorf("dynamics: reading %s: %w", what, err)
	}
	return nil
}

// errNoEntityID means a create answered without saying what it created.
var errNoEntityID = errors.New("no OData-EntityId header")
