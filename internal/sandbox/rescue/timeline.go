package rescue

import "time"

// phase is what a stretch of a session's life counts as in the report's duration columns.
type phase int

const (
	phaseConnecting phase = iota
	phaseWaiting          // in the first technician's queue
	phaseActive
	phaseHold
	phaseTransfer // from a transfer until the receiving technician picks the session up
	phaseCount
)

// span is the start of a phase; it lasts until the next span starts or the session closes.
type span struct {
	phase phase
	from  time.Time
}

// enter starts a new phase, which is also a status change.
func (ss *session) enter(p phase, at time.Time) {
	ss.spans = append(ss.spans, span{p, at})
	ss.statusAt = at
}

// durations sums the time spent in each phase until end.
func (ss *session) durations(end time.Time) [phaseCount]time.Duration {
	var d [phaseCount]time.Duration
	for i, sp := range ss.spans {
		to := end
		if i+1 < len(ss.spans) {
			to = ss.spans[i+1].from
		}
		d[sp.phase] += to.Sub(sp.from)
	}
	return d
}

// linesUpTo keeps the chat lines said by the given moment.
func linesUpTo(chat []ChatLine, at time.Time) []ChatLine {
	var kept []ChatLine
	for _, l := range chat {
		if !l.At.After(at) {
			kept = append(kept, l)
		}
	}
	return kept
}

// transfer is one hand-over, as the handing technician's node keeps showing it.
type transfer struct {
	from, to *technician
	at       time.Time
	comment  string
	pickedUp bool // the handing technician had picked the session up
}

func (tr transfer) status() Status {
	if tr.pickedUp {
		return StatusTransferred
	}
	return StatusTransferredWithoutPickup
}

func (tr transfer) snapshot() Transfer {
	return Transfer{From: tr.from.Key, To: tr.to.Key, At: tr.at, Comment: tr.comment, Status: tr.status()}
}

// hold puts an active session on hold: the conversation pauses where it is.
func (ss *session) hold(at time.Time) {
	ss.heldAt = at
	ss.enter(phaseHold, at)
}

// resume ends a hold. What was still to be said and written comes that much later; the pace that
// closes the session is not moved.
func (ss *session) resume(at time.Time) {
	gap := at.Sub(ss.heldAt)
	for i := range ss.chat {
		if ss.chat[i].At.After(ss.heldAt) {
			ss.chat[i].At = ss.chat[i].At.Add(gap)
		}
	}
	if ss.noteAt.After(ss.heldAt) {
		ss.noteAt = ss.noteAt.Add(gap)
	}
	ss.heldAt = time.Time{}
	ss.enter(phaseActive, at)
}

// transferTo hands a waiting or active session to another technician's queue. The chat keeps what
// was said, and the note what was written, before the transfer; the receiving technician greets
// the customer anew when they pick the session up.
func (s *Server) transferTo(ss *session, to *technician, comment string, at time.Time) {
	ss.chat = linesUpTo(ss.chat, ss.horizon(at))
	ss.earlierNote = ss.visibleNote(at)
	ss.note, ss.noteAt = "", time.Time{}
	ss.transfers = append(ss.transfers, transfer{
		from: ss.tech, to: to, at: at, comment: comment, pickedUp: ss.stage == StageActive,
	})
	ss.tech, ss.stage, ss.heldAt, ss.nextAt = to, StageWaiting, time.Time{}, time.Time{}
	ss.enter(phaseTransfer, at)
	if s.pace > 0 && to.console {
		ss.nextAt = at.Add(s.pace)
	}
}
