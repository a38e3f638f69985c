package rescue

import "fmt"

// The control surface for what leaves the plain life cycle: a customer who never enters the PIN, a
// transfer to another technician, a customer put on hold.

// AbandonNext makes the customers of the next n PINs, whoever issues them, never enter them. Such a
// session stays Connecting until its PIN expires (Options.PINValidity after issue), then closes as
// timed out without pickup, whatever the pace; Advance times it out at once. It replaces any count
// still pending; n <= 0 cancels it.
func (s *Server) AbandonNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.abandonLeft = max(n, 0)
}

// Transfer hands a waiting or active (or held) session to another technician, as the Technician
// Console's Transfer does. The original technician's node lists the session as Transferred, with
// the new technician's name and the comment, for ClosedRetention; the new technician's node lists it
// Waiting, and it goes on from there: picked up one Pace later if their console runs (or by
// Advance), then closed. Chat lines and the note after the transfer are the new technician's.
func (s *Server) Transfer(sessionID int, toTechKey string, comment string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settle(now)
	ss := s.byID[sessionID]
	if err := checkOpen(ss, StageWaiting, StageActive); err != nil {
		return err
	}
	to, err := s.techByKey(toTechKey)
	switch {
	case err != nil:
		return err
	case to == ss.tech:
		return fmt.Errorf("rescue: session %d is already %s's", sessionID, toTechKey)
	case to.state != UserActive:
		return fmt.Errorf("rescue: %s cannot take sessions (%v)", toTechKey, to.state)
	}
	s.transferTo(ss, to, comment, now)
	return nil
}

// Hold puts an active session on hold (on) or takes it back (off); asking for the state the session
// is already in does nothing. While on hold the chat pauses and getSession_v3 shows On Hold; the
// technician stays Busy. Advance, or the pace that would have closed the active session, closes it
// from hold.
func (s *Server) Hold(sessionID int, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.settle(now)
	ss := s.byID[sessionID]
	if err := checkOpen(ss, StageActive); err != nil {
		return err
	}
	switch {
	case on && !ss.held():
		ss.hold(now)
	case !on && ss.held():
		ss.resume(now)
	}
	return nil
}

// checkOpen says why a session cannot be acted on unless it exists and is at one of the stages.
func checkOpen(ss *session, stages ...Stage) error {
	switch {
	case ss == nil:
		return ErrNoSession
	case ss.stage == StageClosed:
		return ErrSessionClosed
	}
	for _, st := range stages {
		if ss.stage == st {
			return nil
		}
	}
	return fmt.Errorf("%w: session %d is %v", ErrWrongStage, ss.id, ss.stage)
}
