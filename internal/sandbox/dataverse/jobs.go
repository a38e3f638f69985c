package dataverse

import (
	"fmt"
	"strings"
)

// Index job statuses (asyncoperation statuscode) and the key status each stands for.
const (
	jobWaiting    = 0
	jobInProgress = 20
	jobSucceeded  = 30
	jobFailed     = 31
	jobCanceled   = 32
)

var keyStatusOfJob = map[int]string{jobWaiting: "Pending", jobInProgress: "InProgress", jobSucceeded: "Active", jobFailed: "Failed"}

// indexFailureCode is the errorcode of a failed index job: the platform's duplicate-key error.
const indexFailureCode = -2147016681

// indexFailure is the message, friendly message and error code of a key whose index cannot be built
// because rows share key values.
func indexFailure(t *table, k *altKey) (msg, friendly string, code int) {
	msg = fmt.Sprintf("Entity key %s could not be activated: the index on %s.%s cannot be created because the table holds rows with duplicate key values.",
		k.logicalName, t.entity, strings.Join(k.attributes, ", "))
	friendly = fmt.Sprintf("The alternate key %s could not be activated because some rows share the same key values. Remove the duplicates, then reactivate the key.", k.display)
	return msg, friendly, indexFailureCode
}

// startKeyJob submits a new "EntityKey Index Creation" system job for the key, cancelling one still
// running, and sets the key's status from it. A failed job carries the message and error code a doctor
// would read.
func (s *Server) startKeyJob(t *table, k *altKey, status int) {
	s.finishJob(k, jobCanceled)
	msg, friendly, code := "", "", 0
	if status == jobFailed {
		msg, friendly, code = indexFailure(t, k)
	}
	k.asyncJob = s.insertJob(s.opts.NewID(), "Create index for entity key "+k.logicalName, 63, status, t.entity, msg, friendly, code, s.now())
	k.status, k.settleOnRead = keyStatusOfJob[status], false
}

// settleKeys runs the index jobs of keys created or reactivated since their metadata was last read:
// the key turns Active, or Failed when rows share its values.
func (s *Server) settleKeys(t *table) {
	for _, k := range t.keys {
		if !k.settleOnRead || k.status != "Pending" {
			continue
		}
		k.settleOnRead = false
		if hasDuplicateKeyValues(t, k) {
			s.failJob(t, k)
			k.status = "Failed"
			continue
		}
		s.finishJob(k, jobSucceeded)
		k.status = "Active"
	}
}

// hasDuplicateKeyValues reports whether two rows share the values of the key's columns, as the
// database's unique index would find them; rows missing a value are not indexed.
func hasDuplicateKeyValues(t *table, k *altKey) bool {
	rows := t.sortedRows()
	for i, a := range rows {
		want := map[string]any{}
		for _, col := range k.attributes {
			want[col] = a.values[col]
		}
		for _, b := range rows[i+1:] {
			if keyMatches(b, want) {
				return true
			}
		}
	}
	return false
}

// failJob completes the key's current job as Failed, with the duplicate-key message.
func (s *Server) failJob(t *table, k *altKey) {
	r := s.tables["asyncoperations"].rows[k.asyncJob]
	if r == nil {
		return
	}
	msg, friendly, code := indexFailure(t, k)
	now := s.now()
	r.values["statecode"], r.values["statuscode"] = 3, jobFailed
	r.values["message"], r.values["friendlymessage"], r.values["errorcode"] = msg, friendly, code
	if r.values["startedon"] == nil {
		r.values["startedon"] = now
	}
	r.values["completedon"], r.values["modifiedon"], r.version = now, now, s.nextVersion()
}

// finishJob completes the key's current job with the status (Succeeded or Canceled), if it is still open.
func (s *Server) finishJob(k *altKey, status int) {
	r := s.tables["asyncoperations"].rows[k.asyncJob]
	if r == nil || r.values["statecode"] == 3 {
		return
	}
	now := s.now()
	r.values["statecode"], r.values["statuscode"] = 3, status
	if r.values["startedon"] == nil {
		r.values["startedon"] = now
	}
	r.values["completedon"], r.values["modifiedon"], r.version = now, now, s.nextVersion()
}
