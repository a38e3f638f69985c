package dataverse

import "fmt"

// Index job statuses (asyncoperation statuscode) and the key status each stands for.
const (
	jobWaiting    = 0
	jobInProgress = 20
	jobSucceeded  = 30
	jobFailed     = 31
	jobCanceled   = 32
)

var keyStatusOfJob = map[int]string{jobWaiting: "Pending", jobInProgress: "InProgress", jobSucceeded: "Active", jobFailed: "Failed"}

// startKeyJob submits a new "EntityKey Index Creation" system job for the key, cancelling one still
// running, and sets the key's status from it. A failed job carries the message and error code a doctor
// would read.
func (s *Server) startKeyJob(t *table, k *altKey, status int) {
	s.finishJob(k, jobCanceled)
	msg, friendly, code := "", "", 0
	if status == jobFailed {
		msg = fmt.Sprintf("Entity key %s could not be activated: the index on %s.%s cannot be created because the table holds rows with duplicate key values.",
			k.logicalName, t.entity, k.attributes[0])
		friendly = fmt.Sprintf("The alternate key %s could not be activated because some rows share the same key values. Remove the duplicates, then reactivate the key.", k.display)
		code = -2147016681
	}
	k.asyncJob = s.insertJob(s.opts.NewID(), "Create index for entity key "+k.logicalName, 63, status, t.entity, msg, friendly, code, s.now())
	k.status, k.settleOnRead = keyStatusOfJob[status], false
}

// settleKeys completes the index jobs of keys reactivated since their metadata was last read.
func (s *Server) settleKeys(t *table) {
	for _, k := range t.keys {
		if k.settleOnRead && k.status == "Pending" {
			s.finishJob(k, jobSucceeded)
			k.status, k.settleOnRead = "Active", false
		}
	}
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
