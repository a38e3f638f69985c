package rescue

import "testing"

func TestParseSessionStatusEnglish(t *testing.T) {
	// The API guide's list (D14), every entry.
	for text, want := range map[string]SessionStatus{
		"Aborted":                          StatusAborted,
		"Active":                           StatusActive,
		"Closed by active customer":        StatusClosedByActiveCustomer,
		"Closed by customer":               StatusClosedByCustomer,
		"Closed by technician":             StatusClosedByTechnician,
		"Closed by waiting customer":       StatusClosedByWaitingCustomer,
		"Connecting":                       StatusConnecting,
		"Disconnected":                     StatusDisconnected,
		"Not available":                    StatusNotAvailable,
		"Offline":                          StatusOffline,
		"On Hold":                          StatusOnHold,
		"Rebooted":                         StatusRebooted,
		"Rebooting":                        StatusRebooting,
		"Reconnecting":                     StatusReconnecting,
		"Timed out":                        StatusTimedOut,
		"Timed out: closed by technician":  StatusTimedOutByTechnician,
		"Transferred":                      StatusTransferred,
		"Transferring":                     StatusTransferring,
		"Waiting":                          StatusWaiting,
		"  CLOSED BY   technician ":        StatusClosedByTechnician,
		"timed out : closed by technician": StatusTimedOutByTechnician,
		"SESSION_PICKEDUP":                 StatusActive,
		"session_closedbywaitingcustomer":  StatusClosedByWaitingCustomer,
	} {
		if got := ParseSessionStatus(text); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

func TestParseSessionStatusFrenchAndPortuguese(t *testing.T) {
	for text, want := range map[string]SessionStatus{
		// The sandbox's French list, every entry.
		"Connexion en cours":                 StatusConnecting,
		"En attente":                         StatusWaiting,
		"Active":                             StatusActive,
		"Fermée par le technicien":           StatusClosedByTechnician,
		"Fermée par le client":               StatusClosedByCustomer,
		"Fermée par le client en attente":    StatusClosedByWaitingCustomer,
		"Fermée par le client actif":         StatusClosedByActiveCustomer,
		"Expirée":                            StatusTimedOut,
		"Expirée : fermée par le technicien": StatusTimedOutByTechnician,
		"Déconnectée":                        StatusDisconnected,
		// Accents and case do not matter, nor a decomposed accent.
		"FERMEE PAR LE CLIENT ACTIF":        StatusClosedByActiveCustomer,
		"Ferme\u0301e par le technicien":    StatusClosedByTechnician,
		"expiree: fermee par le technicien": StatusTimedOutByTechnician,
		// The live Portuguese sample (C8).
		"Encerrado pelo cliente ativo": StatusClosedByActiveCustomer,
		"encerrado pelo técnico":       StatusClosedByTechnician,
	} {
		if got := ParseSessionStatus(text); got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

func TestUnknownStatusIsKept(t *testing.T) {
	for _, text := range []string{"", "Bezig", "Closed", "Closed by", "42"} {
		if got := ParseSessionStatus(text); got != StatusUnknown || got.Closed() {
			t.Errorf("%q: %q", text, got)
		}
	}
	s, err := parseSessions("ID|Status|\n1|Geschlossen vom Techniker|\n")
	if err != nil || s[0].Status != StatusUnknown || s[0].StatusText != "Geschlossen vom Techniker" {
		t.Fatalf("%+v, %v", s, err)
	}
}

func TestStatusTextsDoNotCollide(t *testing.T) {
	seen := map[string]SessionStatus{}
	for st, texts := range statusTexts {
		for _, text := range texts {
			k := foldText(text)
			if prev, dup := seen[k]; dup && prev != st {
				t.Errorf("%q means both %s and %s", text, prev, st)
			}
			seen[k] = st
		}
	}
}

func TestClosedStatuses(t *testing.T) {
	final := map[SessionStatus]bool{
		StatusClosedByTechnician: true, StatusClosedByCustomer: true, StatusClosedByWaitingCustomer: true,
		StatusClosedByActiveCustomer: true, StatusTimedOut: true, StatusTimedOutByTechnician: true,
		StatusAborted: true, StatusDisconnected: true,
	}
	for st := range statusTexts {
		if st.Closed() != final[st] {
			t.Errorf("%s: Closed() %v", st, st.Closed())
		}
	}
}

func TestParseYes(t *testing.T) {
	for text, want := range map[string]bool{
		"yes": true, "Yes": true, "oui": true, "OUI": true, "sim": true, "ja": true, "si": true, "sí": true,
		"true": true, "True": true, "1": true,
		"no": false, "non": false, "não": false, "nein": false, "": false, "false": false, "yes please": false,
	} {
		if got := parseYes(text); got != want {
			t.Errorf("%q: %v", text, got)
		}
	}
}

func TestParseResolved(t *testing.T) {
	for text, want := range map[string]bool{
		"Resolved": true, "Résolue": true, "résolu": true, "Resolvido": true,
		"Unresolved": false, "Non résolue": false, "Não resolvido": false, "": false,
	} {
		if got := parseResolved(text); got != want {
			t.Errorf("%q: %v", text, got)
		}
	}
}

func TestParsePresence(t *testing.T) {
	for text, want := range map[string]Presence{
		"Online": PresenceOnline, "busy": PresenceBusy, " Away ": PresenceAway, "OFFLINE": PresenceOffline,
		"Disabled": PresenceDisabled, "": PresenceUnknown, "En ligne": PresenceUnknown,
	} {
		if got := parsePresence(text); got != want {
			t.Errorf("%q: %q", text, got)
		}
	}
}
